import { CHECKPOINT_NAMES, checkpointLabel } from '../../run/layout.js';
import type { Callback, TrainingContext } from './callback.js';

/** Exit codes of a run stopped by a signal, as a shell reports them (128 + signal number). */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * SIGINT/SIGTERM ask training to stop at the end of the current batch (the checkpoint callback then writes `last`);
 * a second signal exits at once.
 */
export class StopOnSignal implements Callback {
  private handlers: [NodeJS.Signals, () => void][] = [];

  constructor(private readonly log: (m: string) => void = (m) => process.stderr.write(m + '\n')) {}

  onTrainBegin(ctx: TrainingContext): void {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const h = () => {
        if (ctx.interrupted) process.exit(SIGNAL_EXIT_CODES[sig]);
        ctx.interrupted = sig;
        ctx.stopTraining = true;
        ctx.stopReason = `interrupted by ${sig}`;
        this.log(`\nconvkit: ${sig}: stopping after this batch and saving ${checkpointLabel(CHECKPOINT_NAMES.last)} (signal again to quit at once)`);
      };
      process.on(sig, h);
      this.handlers.push([sig, h]);
    }
  }

  onTrainEnd(): void {
    for (const [sig, h] of this.handlers) process.off(sig, h);
    this.handlers = [];
  }
}
