// Lets a training-time max pool take over the ReLU gradient of the fused
// conv that feeds it.
//
// The fused conv's gradient starts with dy·(y > 0) over its whole output y;
// when y goes straight into a max pool, that dy is the pool's dx, which is
// zero except at each window's argmax p, where y[p] equals the pool's output
// for that window. So masking the pool's (4× smaller) incoming gradient by
// (pool output > 0) before pooling backward gives exactly dx·(y > 0), the
// same values: each dx element is a sum of the same terms, each multiplied
// by the same 0 or 1. The pool's gradient does that when its input is the
// ReLU output of a fused conv, and records that its dx is already masked for
// y; the conv's gradient then skips its own pass if the dy it receives is
// that very tensor (if y has other consumers, the engine hands it a sum and
// the conv masks it again, which changes nothing: the mask is 0 or 1).
// Tensors are identified by dataId, which tfjs keeps through the Identity
// copies it makes of saved tensors.
import type * as tf from '@tensorflow/tfjs-core';

const reluOutputs = new WeakSet<object>();
const maskedFor = new WeakMap<object, object>();
let enabled = true;

/** The fused conv patch marks its ReLU outputs recorded for training. */
export function markReluOutput(y: tf.Tensor): void {
  if (enabled) reluOutputs.add(y.dataId);
}

/** True if x is a marked ReLU output (so a max pool over it may mask its gradient). */
export function isReluOutput(x: tf.Tensor): boolean {
  return enabled && reluOutputs.has(x.dataId);
}

/** Records that `grad` already is (gradient)·(y > 0). */
export function markMaskedFor(grad: tf.Tensor, y: tf.Tensor): void {
  maskedFor.set(grad.dataId, y.dataId);
}

/** True if `grad` already is (gradient)·(y > 0). */
export function isMaskedFor(grad: tf.Tensor, y: tf.Tensor): boolean {
  return maskedFor.get(grad.dataId) === y.dataId;
}

/** Turns the pool/ReLU gradient link on or off (on by default; off for comparisons in tests). */
export function setPoolReluLink(on: boolean): void {
  enabled = on;
}
