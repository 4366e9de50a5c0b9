import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { nativeKernel, oneTensor, runNative, type LayerArgs } from './native.js';

export interface MultiHeadSelfAttentionArgs extends LayerArgs {
  /** Number of heads; the width D of the input must be a multiple of it (default 4). */
  heads?: number;
}

/**
 * `softmax(q_h k_hᵀ · scale) v_h` per head h (channels h·D/heads … (h+1)·D/heads − 1), written back into the same
 * channels; inputs q, k, v `[B, T, D]`. The kernel of the native path: it returns an array, element 0 the output.
 */
export const ATTENTION_KERNEL = 'OneDnnAttention';

const PROJECTIONS = ['query', 'key', 'value', 'output'] as const;

/**
 * Multi-head self-attention over `[B, T, D]` tokens: q, k, v = three Dense(D) of the input (with bias), `heads` heads
 * of D/heads channels each scaled by 1/√(D/heads), no dropout on the attention weights, heads concatenated and
 * projected by a fourth Dense(D). 4·(D² + D) parameters.
 */
export class ConvkitMultiHeadSelfAttention extends tfl.layers.Layer {
  static className = 'ConvkitMultiHeadSelfAttention';
  readonly heads: number;
  private kernels: tfl.LayerVariable[] = [];
  private biases: tfl.LayerVariable[] = [];

  constructor(args: MultiHeadSelfAttentionArgs = {}) {
    super(args);
    this.heads = args.heads ?? 4;
    if (!Number.isInteger(this.heads) || this.heads < 1) throw new RangeError(`ConvkitMultiHeadSelfAttention: heads must be a positive integer (got ${args.heads})`);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = inputShape as tfl.Shape;
    const d = shape[shape.length - 1];
    if (shape.length !== 3 || typeof d !== 'number') throw new Error(`${this.name}: expects tokens [batch, T, D] of known D (input shape [${shape.join(', ')}])`);
    if (d % this.heads !== 0) throw new Error(`${this.name}: the width ${d} is not a multiple of heads = ${this.heads}`);
    for (const p of PROJECTIONS) {
      this.kernels.push(this.addWeight(`${p}_kernel`, [d, d], 'float32', tfl.initializers.glorotUniform({})));
      this.biases.push(this.addWeight(`${p}_bias`, [d], 'float32', tfl.initializers.zeros()));
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const [b, t, d] = x.shape;
      const rows = tf.reshape(x, [b * t, d]);
      const project = (i: number, from: tf.Tensor) => tf.fused.matMul({ a: from, b: this.kernels[i].read(), bias: this.biases[i].read() });
      const [q, k, v] = [0, 1, 2].map((i) => tf.reshape(project(i, rows), [b, t, d]));
      const mixed = attention(q, k, v, this.heads, 1 / Math.sqrt(d / this.heads));
      return tf.reshape(project(3, tf.reshape(mixed, [b * t, d])), [b, t, d]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads };
  }
}

/** The attention core (q, k, v `[B, T, D]` → `[B, T, D]`): the native kernel on onednn, tfjs ops elsewhere. */
export function attention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, heads: number, scale: number): tf.Tensor {
  if (nativeKernel(ATTENTION_KERNEL)) return runNative<tf.Tensor[]>(ATTENTION_KERNEL, { q, k, v }, { heads, scale })[0];
  const [b, t, d] = q.shape;
  const split = (x: tf.Tensor) => tf.transpose(tf.reshape(x, [b, t, heads, d / heads]), [0, 2, 1, 3]); // [B, H, T, D/H]
  const weights = tf.softmax(tf.mul(tf.matMul(split(q), split(k), false, true), scale)); // [B, H, T, T]
  return tf.reshape(tf.transpose(tf.matMul(weights, split(v)), [0, 2, 1, 3]), [b, t, d]);
}
