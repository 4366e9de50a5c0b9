import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ImageSplit } from '../datasets/types.js';
import { Rng } from '../util/rng.js';
import { makeBatch, type BatchShape } from './batches.js';
import { CallbackList, type Callback, type EpochLogs, type TrainingContext } from './callbacks/callback.js';
import { evaluateSplit } from './evaluate.js';

export interface FitOptions {
  model: LayersModel;
  train: ImageSplit;
  validation?: ImageSplit;
  shape: BatchShape;
  epochs: number;
  batchSize: number;
  seed: number;
  /** Epochs already done (resume): training starts at initialEpoch + 1. */
  initialEpoch?: number;
  /** Batches of `initialEpoch + 1` already done (resume mid-epoch). */
  initialBatch?: number;
  callbacks?: Callback[];
  /** Extra fields visible to callbacks through the context. */
  context?: Record<string, unknown>;
}

/** The order in which epoch `epoch` visits the training images: a pure function of seed and epoch, so a resumed run replays it exactly. */
export function epochOrder(seed: number, epoch: number, n: number): Int32Array {
  return new Rng((seed * 1000003 + epoch * 7919) >>> 0).permutation(n);
}

function learningRate(model: LayersModel): number | undefined {
  const opt = model.optimizer as unknown as { learningRate?: number } | undefined;
  return typeof opt?.learningRate === 'number' ? opt.learningRate : undefined;
}

/**
 * Mini-batch training with a shuffled order per epoch, Keras-style running metrics,
 * validation at the end of each epoch, and callbacks that may stop it.
 */
export async function fit(o: FitOptions): Promise<{ history: EpochLogs[]; ctx: TrainingContext }> {
  const cbs = new CallbackList(o.callbacks ?? []);
  const n = o.train.count;
  const steps = Math.ceil(n / o.batchSize);
  const ctx: TrainingContext = {
    ...(o.context ?? {}),
    epochs: o.epochs,
    stepsPerEpoch: steps,
    trainCount: n,
    batchSize: o.batchSize,
    stopTraining: false,
    model: o.model,
  };
  const history: EpochLogs[] = [];
  await cbs.trainBegin(ctx);
  for (let epoch = (o.initialEpoch ?? 0) + 1; epoch <= o.epochs && !ctx.stopTraining; epoch++) {
    await cbs.epochBegin(epoch, ctx);
    const order = epochOrder(o.seed, epoch, n);
    const firstBatch = epoch === (o.initialEpoch ?? 0) + 1 ? (o.initialBatch ?? 0) : 0;
    let lossSum = 0;
    let accSum = 0;
    let seen = 0;
    const t0 = performance.now();
    for (let b = firstBatch; b < steps; b++) {
      const start = b * o.batchSize;
      const end = Math.min(n, start + o.batchSize);
      const { xs, ys } = makeBatch(o.train, order, start, end, o.shape);
      const out = (await o.model.trainOnBatch(xs, ys)) as number[];
      tf.dispose([xs, ys]);
      const [loss, acc] = out;
      const size = end - start;
      lossSum += loss * size;
      accSum += acc * size;
      seen += size;
      ctx.batchInEpoch = b + 1;
      await cbs.batchEnd(epoch, { batch: b, size, loss, accuracy: acc }, ctx);
      if (ctx.stopTraining) break;
    }
    const seconds = (performance.now() - t0) / 1000;
    const logs: EpochLogs = {
      epoch,
      loss: seen ? lossSum / seen : NaN,
      accuracy: seen ? accSum / seen : NaN,
      seconds,
      images_per_s: seen / Math.max(seconds, 1e-9),
    };
    const lr = learningRate(o.model);
    if (lr !== undefined) logs.lr = lr;
    if (o.validation && o.validation.count > 0 && !ctx.stopTraining) {
      const v = await evaluateSplit(o.model, o.validation, o.shape);
      logs.val_loss = v.loss;
      logs.val_accuracy = v.accuracy;
    }
    if (ctx.stopTraining && ctx.batchInEpoch !== steps) {
      // An epoch cut short is not an epoch: callbacks that persist state see it through ctx, not as history.
      ctx.partialEpoch = { epoch, logs };
      break;
    }
    history.push(logs);
    await cbs.epochEnd(epoch, logs, ctx);
  }
  await cbs.trainEnd(ctx, history);
  return { history, ctx };
}
