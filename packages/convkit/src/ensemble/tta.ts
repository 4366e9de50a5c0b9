import * as tf from '@tensorflow/tfjs-core';
import { applyParams } from '../train/augment/augment.js';
import { drawParams, type AugmentParams } from '../train/augment/params.js';
import { AugmentSchema, type AugmentSpec } from '../train/augment/schema.js';
import type { BatchShape } from '../train/batches.js';
import type { BatchPredict } from '../train/evaluate.js';

/**
 * Test-time augmentation's transforms: milder than any training preset (rotation ±5°, zoom ±5 %, shift ±5 %, edges
 * repeated), so that each transformed image stays a typical one. Fixed, so that a TTA figure means one thing.
 */
export const TTA_AUGMENT: AugmentSpec = AugmentSchema.parse({ rotation: 5, zoom: 0.05, shift: 0.05, fill: 'nearest' })!;

/** Transform k (1 … n) of TTA: drawn with seed k, the same for every image, so a figure is reproducible whatever the batching. */
export function ttaTransform(k: number): AugmentParams {
  return drawParams(k, 0, 0, TTA_AUGMENT);
}

/**
 * `predict` averaged over each image and its `n` TTA transforms (n = 0: `predict` itself). Needs a tfjs backend
 * selected (the warp is the backend's Transform kernel).
 */
export function withTta(predict: BatchPredict, shape: BatchShape, n: number): BatchPredict {
  if (n === 0) return predict;
  const transforms = Array.from({ length: n }, (_, i) => ttaTransform(i + 1));
  return async (x, count) => {
    const sum = Float32Array.from(await predict(x, count));
    const images = tf.tensor4d(x, [count, shape.height, shape.width, shape.channels]);
    try {
      for (const t of transforms) {
        const warped = applyParams(images, new Array<AugmentParams>(count).fill(t), TTA_AUGMENT);
        const xt = warped.dataSync() as Float32Array;
        warped.dispose();
        const p = await predict(xt, count);
        for (let i = 0; i < sum.length; i++) sum[i] += p[i];
      }
    } finally {
      images.dispose();
    }
    for (let i = 0; i < sum.length; i++) sum[i] /= n + 1;
    return sum;
  };
}
