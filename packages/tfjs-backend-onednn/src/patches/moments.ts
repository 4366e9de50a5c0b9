// Native tf.moments for the onednn backend (BatchNormalization's batch
// statistics).
//
// tfjs-layers' BatchNormalization computes, in training, tf.moments(x, every
// axis but the channel axis): Mean, Sub, Square and Mean again, and a
// gradient of about ten ops, all over the full activation. moments is an
// op, not a kernel, so installMoments() replaces the `moments` export of
// tfjs-core's CommonJS module (the one tfjs-layers calls) with a version
// that, while 'onednn' is the active backend, for float32 x of rank >= 2
// reduced over every axis but the last, runs OneDnnMoments: mean and
// variance in one pass (double sums over fixed blocks of rows, independent of
// the thread count), with a one-pass gradient (gradients/OneDnnMoments_grad.ts).
// Everything else (other axes, other dtypes, other backends) goes to the
// original function. ESM code that imports tfjs-core's moments directly gets
// tfjs's own op.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { OneDnnMoments } from '../kernels/custom_names.js';
import type { OneDnnMomentsAttrs } from '../kernels/custom_names.js';
import { addon } from '../native.js';
import { memberPatch } from './patch_util.js';

type MomentsFn = (x: tf.Tensor | tf.TensorLike, axis?: number | number[] | null, keepDims?: boolean) =>
  { mean: tf.Tensor; variance: tf.Tensor };

const tfcCjs = createRequire(import.meta.url)('@tensorflow/tfjs-core') as { moments: MomentsFn };
const original: MomentsFn = tfcCjs.moments;

/**
 * The input and variance of each mean returned by OneDnnMoments, so that patches/batch_norm.ts
 * can recognise a batch norm of x by its own moments (tfjs-layers passes the same tensors on).
 */
export const batchMoments = new WeakMap<tf.Tensor, { x: tf.Tensor; variance: tf.Tensor }>();

/** True if `axis` names exactly the axes 0..rank-2 (in any order, negatives allowed). */
function allButLast(axis: number | number[] | null | undefined, rank: number): boolean {
  if (axis == null) return false; // all axes
  let axes: number[];
  try {
    axes = [...new Set(tf.util.parseAxisParam(axis, new Array(rank).fill(1)))];
  } catch {
    return false; // out of range: tfjs's moments reports it
  }
  const list = Array.isArray(axis) ? axis : [axis];
  return axes.length === list.length && axes.length === rank - 1 && axes.every((a) => a < rank - 1);
}

const fastMoments: MomentsFn = (x, axis = null, keepDims = false) => {
  if (!addon || tf.getBackend() !== BACKEND_NAME || !(x instanceof tf.Tensor) ||
      x.dtype !== 'float32' || x.rank < 2 || x.size === 0 || !allButLast(axis, x.rank)) {
    return original(x, axis, keepDims);
  }
  const C = x.shape[x.rank - 1];
  const outShape = keepDims ? [...new Array(x.rank - 1).fill(1), C] : [C];
  const attrs: OneDnnMomentsAttrs = { outShape };
  const [mean, variance] = tf.engine().runKernel(OneDnnMoments, { x },
    attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  batchMoments.set(mean, { x, variance });
  return { mean, variance };
};

const patch = memberPatch(tfcCjs, { moments: fastMoments });

/** Routes tfjs-core's moments() over every axis but the last through OneDnnMoments. */
export function installMoments(): void {
  patch.install();
}

/** Restores tfjs-core's own moments(). */
export function uninstallMoments(): void {
  patch.uninstall();
}
