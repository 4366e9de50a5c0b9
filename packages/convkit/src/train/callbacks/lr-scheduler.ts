import type { LayersModel } from '@tensorflow/tfjs-layers';
import { setLearningRate } from '../loop.js';
import { scheduleAt, type LrScheduleOptions } from '../schedules/index.js';
import type { BatchLogs, Callback, TrainingContext } from './callback.js';

/**
 * Keras's LearningRateScheduler, per step: sets the learning rate before every batch from the global step
 * ((epoch − 1)·stepsPerEpoch + batch). Stateless, so a resumed run continues the same curve. The `lr` that
 * the run's metrics record for an epoch is the one its last batch used.
 */
export class LearningRateScheduler implements Callback {
  constructor(
    readonly model: LayersModel,
    readonly schedule: Omit<LrScheduleOptions, 'stepsPerEpoch'>,
  ) {}

  private set(step: number, ctx: TrainingContext): void {
    setLearningRate(this.model, scheduleAt({ ...this.schedule, stepsPerEpoch: ctx.stepsPerEpoch }, step));
  }

  onEpochBegin(epoch: number, ctx: TrainingContext): void {
    this.set((epoch - 1) * ctx.stepsPerEpoch + ((ctx.batchInEpoch as number | undefined) ?? 0), ctx);
  }

  onBatchEnd(epoch: number, logs: BatchLogs, ctx: TrainingContext): void {
    // The last batch's rate stays until the epoch is logged; the next epoch's start sets its own.
    if (logs.batch + 1 < ctx.stepsPerEpoch) this.set((epoch - 1) * ctx.stepsPerEpoch + logs.batch + 1, ctx);
  }
}
