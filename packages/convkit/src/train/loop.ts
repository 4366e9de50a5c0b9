import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ImageSplit } from '../datasets/types.js';
import { Rng } from '../util/rng.js';
import { augmentBatch } from './augment/augment.js';
import { scaleAugment } from './augment/params.js';
import { isActive, type AugmentSpec } from './augment/schema.js';
import { makeBatch, type BatchShape } from './batches.js';
import { CallbackList, type Callback, type EpochLogs, type EpochProgress, type TrainingContext } from './callbacks/callback.js';
import { evaluateSplit } from './evaluate.js';
import { sampledOrder } from './sampling/order.js';

export interface FitOptions {
  model: LayersModel;
  train: ImageSplit;
  validation?: ImageSplit;
  shape: BatchShape;
  epochs: number;
  batchSize: number;
  /** Keras's steps_per_epoch: every epoch is this many full batches, cycling through the training images (a new
   *  shuffled pass whenever one ends). Default: one pass, ceil(count / batchSize) batches, the last one partial. */
  stepsPerEpoch?: number;
  seed: number;
  /** On-the-fly augmentation of each training batch (parameters a pure function of seed, epoch and image). */
  augment?: AugmentSpec;
  /** --augment-classes: images of these classes get `augment` scaled by `scale` (scaleAugment). */
  strongerAugment?: { classes: Set<number>; scale: number };
  /** --sampling balanced | errors: each epoch draws its images by these class weights (sampledOrder), as many as without. */
  classWeights?: readonly number[];
  /** Epochs already done (resume): training starts at initialEpoch + 1. */
  initialEpoch?: number;
  /** Batches of `initialEpoch + 1` already done (resume mid-epoch). */
  initialBatch?: number;
  /** Running sums of those batches, so the resumed epoch's metrics equal an uninterrupted one's. */
  initialProgress?: Pick<EpochProgress, 'lossSum' | 'accSum' | 'seen' | 'seconds'>;
  callbacks?: Callback[];
  /** Extra fields visible to callbacks through the context. */
  context?: Record<string, unknown>;
}

/** The order in which epoch `epoch` visits the training images: a pure function of seed and epoch, so a resumed run replays it exactly. */
export function epochOrder(seed: number, epoch: number, n: number): Int32Array {
  return new Rng((seed * 1000003 + epoch * 7919) >>> 0).permutation(n);
}

/** Batches in one epoch: `stepsPerEpoch` when set, else one pass over the n training images. */
export function stepsInEpoch(n: number, batchSize: number, stepsPerEpoch?: number): number {
  return stepsPerEpoch ?? Math.ceil(n / batchSize);
}

/**
 * The images epoch `epoch` visits when every epoch is `steps` full batches: its stretch of an endless sequence of
 * passes over the n images, pass p in the order `epochOrder(seed, p + 1, n)` (so with steps·batchSize = n it is
 * exactly one pass per epoch, as without steps_per_epoch). A pure function of its arguments, for exact resumes.
 */
export function cycledOrder(seed: number, epoch: number, n: number, steps: number, batchSize: number): Int32Array {
  if (!(n >= 1)) throw new RangeError(`steps per epoch: no training images to cycle through (n = ${n})`);
  const length = steps * batchSize;
  const out = new Int32Array(length);
  let g = (epoch - 1) * length;
  for (let i = 0; i < length; ) {
    const pass = Math.floor(g / n), at = g % n;
    const take = Math.min(n - at, length - i);
    out.set(epochOrder(seed, pass + 1, n).subarray(at, at + take), i);
    i += take;
    g += take;
  }
  return out;
}

export function learningRate(model: LayersModel): number | undefined {
  const opt = model.optimizer as unknown as { learningRate?: number } | undefined;
  return typeof opt?.learningRate === 'number' ? opt.learningRate : undefined;
}

/** tfjs optimizers read `learningRate` at each step, except SGD which caches it in a tensor behind setLearningRate. */
export function setLearningRate(model: LayersModel, lr: number): void {
  const opt = model.optimizer as unknown as { learningRate?: number; setLearningRate?: (lr: number) => void };
  if (typeof opt.setLearningRate === 'function') opt.setLearningRate(lr);
  else opt.learningRate = lr;
}

// Lets signal handlers (SIGINT/SIGTERM) run between batches: awaiting tfjs's data() alone only drains microtasks.
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Mini-batch training with a shuffled order per epoch, Keras-style running metrics,
 * validation at the end of each epoch, and callbacks that may stop it.
 */
export async function fit(o: FitOptions): Promise<{ history: EpochLogs[]; ctx: TrainingContext }> {
  const cbs = new CallbackList(o.callbacks ?? []);
  const n = o.train.count;
  const steps = stepsInEpoch(n, o.batchSize, o.stepsPerEpoch);
  const cycled = o.stepsPerEpoch !== undefined;
  const visits = cycled ? steps * o.batchSize : n;
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
  const augment = isActive(o.augment) ? o.augment : undefined;
  const stronger = augment && o.strongerAugment ? scaleAugment(augment, o.strongerAugment.scale) : undefined;
  const specOf = stronger ? (i: number) => (o.strongerAugment!.classes.has(o.train.y[i]) ? stronger : augment!) : undefined;
  await cbs.trainBegin(ctx);
  for (let epoch = (o.initialEpoch ?? 0) + 1; epoch <= o.epochs && !ctx.stopTraining; epoch++) {
    ctx.epoch = epoch;
    const resuming = epoch === (o.initialEpoch ?? 0) + 1;
    const firstBatch = resuming ? (o.initialBatch ?? 0) : 0;
    const start0 = resuming && firstBatch > 0 ? o.initialProgress : undefined;
    const progress: EpochProgress = { epoch, batch: firstBatch, lossSum: start0?.lossSum ?? 0, accSum: start0?.accSum ?? 0, seen: start0?.seen ?? 0, seconds: start0?.seconds ?? 0 };
    ctx.epochProgress = progress;
    ctx.batchInEpoch = firstBatch;
    await cbs.epochBegin(epoch, ctx);
    const order = o.classWeights ? sampledOrder(o.seed, epoch, o.train.y, o.classWeights, visits) : cycled ? cycledOrder(o.seed, epoch, n, steps, o.batchSize) : epochOrder(o.seed, epoch, n);
    const t0 = performance.now() - progress.seconds * 1000;
    for (let b = firstBatch; b < steps; b++) {
      const start = b * o.batchSize;
      const end = Math.min(visits, start + o.batchSize);
      const { xs: raw, ys } = makeBatch(o.train, order, start, end, o.shape);
      const xs = augment ? augmentBatch(raw, order.subarray(start, end), o.seed, epoch, augment, specOf) : raw;
      const out = (await o.model.trainOnBatch(xs, ys)) as number[];
      tf.dispose([raw, xs, ys]);
      const [loss, acc] = out;
      const size = end - start;
      progress.lossSum += loss * size;
      progress.accSum += acc * size;
      progress.seen += size;
      progress.batch = b + 1;
      progress.seconds = (performance.now() - t0) / 1000;
      ctx.batchInEpoch = b + 1;
      await cbs.batchEnd(epoch, { batch: b, size, loss, accuracy: acc }, ctx);
      await yieldToEventLoop();
      if (ctx.stopTraining) break;
    }
    const seconds = (performance.now() - t0) / 1000;
    const seen = progress.seen;
    const logs: EpochLogs = {
      epoch,
      loss: seen ? progress.lossSum / seen : NaN,
      accuracy: seen ? progress.accSum / seen : NaN,
      seconds,
      images_per_s: seen / Math.max(seconds, 1e-9),
    };
    const lr = learningRate(o.model);
    if (lr !== undefined) logs.lr = lr;
    if (progress.batch !== steps || ctx.failed) {
      // An epoch cut short is not an epoch: callbacks that persist state see it through ctx, not as history.
      ctx.partialEpoch = { epoch, logs };
      break;
    }
    // A stop requested during the last batch still leaves a complete epoch: validate and log it.
    if (o.validation && o.validation.count > 0) {
      const v = await evaluateSplit(o.model, o.validation, o.shape);
      logs.val_loss = v.loss;
      logs.val_accuracy = v.accuracy;
    }
    history.push(logs);
    await cbs.epochEnd(epoch, logs, ctx);
  }
  await cbs.trainEnd(ctx, history);
  return { history, ctx };
}
