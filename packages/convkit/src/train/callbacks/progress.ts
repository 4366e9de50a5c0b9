import cliProgress from 'cli-progress';
import type { BatchLogs, Callback, EpochLogs, TrainingContext } from './callback.js';
import { EpochLine } from './epoch-line.js';

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : String(v));

/**
 * A live bar per epoch (cli-progress) with ETA, images/s and the running loss and accuracy,
 * replaced by the plain epoch line when the epoch ends. For terminals; elsewhere use EpochLine.
 */
export class ProgressBar implements Callback {
  private bar: cliProgress.SingleBar | null = null;
  private readonly line: EpochLine;
  private t0 = 0;
  private seenAtStart = 0;

  constructor(private readonly stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr) {
    this.line = new EpochLine((l) => stream.write(l + '\n'));
  }

  onEpochBegin(epoch: number, ctx: TrainingContext): void {
    this.bar?.stop();
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.stream,
        format: `epoch ${epoch}/${ctx.epochs} {bar} {value}/{total} | ETA {eta_formatted} | {ips} img/s | loss {loss} | acc {acc}`,
        barsize: 24,
        hideCursor: false,
        clearOnComplete: true,
        etaBuffer: 20,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    const start = (ctx.batchInEpoch as number) ?? 0;
    this.t0 = performance.now();
    this.seenAtStart = ctx.epochProgress?.seen ?? 0;
    this.bar.start(ctx.stepsPerEpoch, start, { ips: '-', loss: '-', acc: '-' });
  }

  onBatchEnd(_epoch: number, logs: BatchLogs, ctx: TrainingContext): void {
    const p = ctx.epochProgress;
    if (!this.bar || !p) return;
    const secs = (performance.now() - this.t0) / 1000;
    this.bar.update(logs.batch + 1, {
      ips: secs > 0 ? Math.round((p.seen - this.seenAtStart) / secs) : '-',
      loss: fmt(p.lossSum / p.seen),
      acc: fmt(p.accSum / p.seen),
    });
  }

  onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext): void {
    this.bar?.stop();
    this.bar = null;
    this.line.onEpochEnd(epoch, logs, ctx);
  }

  onTrainEnd(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

/** The progress callback for `--progress`: auto = a bar on a terminal, one line per epoch otherwise. */
export function progressCallback(mode: ProgressMode, stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): Callback | null {
  const m = mode === 'auto' ? (stream.isTTY ? 'bar' : 'lines') : mode;
  if (m === 'bar') return new ProgressBar(stream);
  if (m === 'lines') return new EpochLine((l) => stream.write(l + '\n'));
  return null;
}
