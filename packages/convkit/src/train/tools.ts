import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Callback } from './callbacks/callback.js';
import { LearningRateScheduler } from './callbacks/lr-scheduler.js';
import type { TrainConfig } from './config.js';
import { smoothedCategoricalCrossentropy } from './losses/label-smoothing.js';
import { withDecoupledWeightDecay } from './optimizers/weight-decay.js';

type ToolConfig = Pick<TrainConfig, 'lrSchedule' | 'warmupEpochs' | 'stepEvery' | 'stepFactor' | 'labelSmoothing' | 'weightDecay' | 'minLr'> & { lr: number; epochs: number };

/** The loss `compile` gets: tfjs's categorical cross-entropy, with label smoothing when asked. */
export function lossFor(c: ToolConfig): string | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor) {
  return c.labelSmoothing > 0 ? smoothedCategoricalCrossentropy(c.labelSmoothing) : 'categoricalCrossentropy';
}

/** The optimizer with decoupled weight decay when asked (Adam → AdamW). */
export function withTrainingTools<T extends tf.Optimizer>(opt: T, c: ToolConfig): T {
  return withDecoupledWeightDecay(opt, c.weightDecay);
}

/** The learning-rate scheduler callback, or nothing for a constant rate. */
export function scheduleCallbacks(model: LayersModel, c: ToolConfig): Callback[] {
  if (c.lrSchedule === 'constant') return [];
  return [new LearningRateScheduler(model, { name: c.lrSchedule, lr: c.lr, epochs: c.epochs, warmupEpochs: c.warmupEpochs, floor: c.minLr, stepEvery: c.stepEvery, stepFactor: c.stepFactor })];
}
