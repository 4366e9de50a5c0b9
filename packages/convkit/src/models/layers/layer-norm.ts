import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { nativeKernel, oneTensor, runNative, type LayerArgs } from './native.js';

export interface LayerNormArgs extends LayerArgs {
  /** Added to the variance (default 1e-6). */
  epsilon?: number;
}

/** `(x − mean) / sqrt(var + epsilon) · gamma + beta` over the last axis; the kernel of the native path. */
export const LAYER_NORM_KERNEL = 'OneDnnLayerNorm';

/** Layer normalisation over the last axis (biased variance), with a learned scale gamma (init 1) and shift beta (init 0). */
export class ConvkitLayerNormalization extends tfl.layers.Layer {
  static className = 'ConvkitLayerNormalization';
  readonly epsilon: number;
  private gamma!: tfl.LayerVariable;
  private beta!: tfl.LayerVariable;

  constructor(args: LayerNormArgs = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-6;
    if (!(this.epsilon >= 0)) throw new RangeError(`ConvkitLayerNormalization: epsilon must be ≥ 0 (got ${args.epsilon})`);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = inputShape as tfl.Shape;
    const c = shape[shape.length - 1];
    if (typeof c !== 'number') throw new Error(`${this.name}: the last axis must have a known size (input shape [${shape.join(', ')}])`);
    this.gamma = this.addWeight('gamma', [c], 'float32', tfl.initializers.ones());
    this.beta = this.addWeight('beta', [c], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => layerNorm(oneTensor(inputs), this.gamma.read(), this.beta.read(), this.epsilon));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

/** The layer's function: the native kernel on onednn, tfjs ops elsewhere. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  if (nativeKernel(LAYER_NORM_KERNEL)) return runNative<tf.Tensor>(LAYER_NORM_KERNEL, { x, gamma, beta }, { epsilon });
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, epsilon))), gamma), beta);
}
