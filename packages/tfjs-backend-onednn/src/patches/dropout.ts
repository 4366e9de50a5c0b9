// Fast dropout for the onednn backend.
//
// tfjs-core's dropout() is an op, not a kernel: it draws its mask with a
// JS-side PRNG (randomUniform) followed by add/floor/div/mul, which costs
// more than the convolutions in a small CNN. A backend cannot override an op
// through the kernel registry, so installFastDropout() replaces the
// `dropout` export of tfjs-core's CommonJS module (the one tfjs-layers'
// Dropout layer calls). The replacement only acts while the active backend
// is 'onednn' and for the plain case (float32, full noise shape, numeric or
// no seed); everything else goes to the original function. The mask comes
// from a native counter-based generator, so the random stream differs from
// tfjs's (as it does between any two tfjs backends' RNG-using code paths);
// with an explicit seed the mask is deterministic, as in tfjs.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAME, OneDnnBackend } from '../backend.js';
import { addon } from '../native.js';
import { memberPatch } from './patch_util.js';

type DropoutFn = (x: tf.Tensor | tf.TensorLike, rate: number, noiseShape?: number[],
  seed?: number | string) => tf.Tensor;

const tfcCjs = createRequire(import.meta.url)('@tensorflow/tfjs-core') as { dropout: DropoutFn };
const original: DropoutFn = tfcCjs.dropout;
// 2^52 range keeps the seed exact when passed as a double.
const SEED_RANGE = 2 ** 52;

function sameShape(a: readonly (number | null)[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

const fastDropout: DropoutFn = (x, rate, noiseShape, seed) => {
  if (!addon || tf.getBackend() !== BACKEND_NAME || !(x instanceof tf.Tensor) ||
      x.dtype !== 'float32' || !(rate > 0 && rate < 1) ||
      (noiseShape != null && !sameShape(noiseShape, x.shape)) ||
      (seed != null && typeof seed !== 'number')) {
    return original(x, rate, noiseShape, seed);
  }
  const backend = tf.backend() as OneDnnBackend;
  // A pooled buffer (see OneDnnBackend.allocF32); every element is written below.
  const mask = backend.allocF32(x.size);
  if (seed != null) {
    addon.dropoutMask(mask, 1 - rate, Math.abs(Math.trunc(seed)) % SEED_RANGE, 0);
  } else {
    // Like tfjs, an unseeded mask draws from Math.random on each call: a program that seeds
    // Math.random (or saves and restores its state) gets the same masks again.
    addon.dropoutMask(mask, 1 - rate, Math.floor(Math.random() * SEED_RANGE), 0);
  }
  return tf.tidy(() => tf.mul(x, tf.engine().makeTensorFromTensorInfo(backend.makeF32(x.shape, mask))));
};

const patch = memberPatch(tfcCjs, { dropout: fastDropout });

/** Routes tfjs-core's dropout() through the native mask while onednn is active. */
export function installFastDropout(): void {
  patch.install();
}

/** Restores tfjs-core's own dropout(). */
export function uninstallFastDropout(): void {
  patch.uninstall();
}

export function isFastDropoutInstalled(): boolean {
  return patch.isInstalled();
}
