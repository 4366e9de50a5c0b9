import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { nativeKernel, oneTensor, runNative, type LayerArgs } from './native.js';

/** `0.5·x·(1 + erf(x/√2))`; the kernel of the native path. */
export const GELU_KERNEL = 'OneDnnGelu';

/** The GELU activation in its exact erf form (tfjs-layers has only the tanh approximation as `gelu_new`). */
export class ConvkitGelu extends tfl.layers.Layer {
  static className = 'ConvkitGelu';

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => gelu(oneTensor(inputs)));
  }
}

/** The layer's function: the native kernel on onednn, tfjs ops elsewhere. */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (nativeKernel(GELU_KERNEL)) return runNative<tf.Tensor>(GELU_KERNEL, { x });
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}
