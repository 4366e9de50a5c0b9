import * as tf from '@tensorflow/tfjs-core';
import type { ImageSplit } from '../datasets/types.js';

export interface BatchShape {
  height: number;
  width: number;
  channels: number;
  numClasses: number;
}

/** Gathers the pixels of images `order[start..end)` as NHWC float32 in [0, 1]. */
export function batchPixels(split: ImageSplit, order: ArrayLike<number> | null, start: number, end: number, s: BatchShape): Float32Array {
  const n = end - start;
  const pixels = s.height * s.width * s.channels;
  const x = new Float32Array(n * pixels);
  const src = split.x;
  const isByte = src instanceof Uint8Array;
  for (let i = 0; i < n; i++) {
    const off = (order ? order[start + i] : start + i) * pixels;
    const dst = i * pixels;
    if (isByte) {
      for (let k = 0; k < pixels; k++) x[dst + k] = src[off + k] / 255;
    } else {
      x.set((src as Float32Array).subarray(off, off + pixels), dst);
    }
  }
  return x;
}

/** Gathers images `order[start..end)` into an NHWC float32 tensor in [0, 1] and one-hot labels. */
export function makeBatch(split: ImageSplit, order: ArrayLike<number> | null, start: number, end: number, s: BatchShape): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const n = end - start;
  const y = new Float32Array(n * s.numClasses);
  for (let i = 0; i < n; i++) y[i * s.numClasses + split.y[order ? order[start + i] : start + i]] = 1;
  return {
    xs: tf.tensor4d(batchPixels(split, order, start, end, s), [n, s.height, s.width, s.channels]),
    ys: tf.tensor2d(y, [n, s.numClasses]),
  };
}
