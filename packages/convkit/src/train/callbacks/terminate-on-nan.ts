import type { BatchLogs, Callback, TrainingContext } from './callback.js';

/** Keras's TerminateOnNaN: a NaN or infinite batch loss stops training at once and fails the run. */
export class TerminateOnNaN implements Callback {
  onBatchEnd(epoch: number, logs: BatchLogs, ctx: TrainingContext): void {
    if (Number.isFinite(logs.loss)) return;
    ctx.stopTraining = true;
    ctx.failed = true;
    ctx.stopReason = `loss became ${logs.loss} at epoch ${epoch}, batch ${logs.batch + 1}/${ctx.stepsPerEpoch}: training diverged (try a lower --lr)`;
  }
}
