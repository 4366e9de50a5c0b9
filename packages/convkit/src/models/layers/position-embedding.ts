import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { oneTensor, type LayerArgs } from './native.js';

export interface PositionEmbeddingArgs extends LayerArgs {
  /** Standard deviation of the normal initialiser (default 0.02). */
  stddev?: number;
}

/** A learned position embedding: adds a `[T, D]` weight to each `[T, D]` token sequence of the batch. */
export class ConvkitPositionEmbedding extends tfl.layers.Layer {
  static className = 'ConvkitPositionEmbedding';
  readonly stddev: number;
  private embeddings!: tfl.LayerVariable;

  constructor(args: PositionEmbeddingArgs = {}) {
    super(args);
    this.stddev = args.stddev ?? 0.02;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = inputShape as tfl.Shape;
    const [t, d] = shape.slice(-2);
    if (shape.length !== 3 || typeof t !== 'number' || typeof d !== 'number') {
      throw new Error(`${this.name}: expects tokens [batch, T, D] of known T and D (input shape [${shape.join(', ')}])`);
    }
    this.embeddings = this.addWeight('embeddings', [t, d], 'float32', tfl.initializers.randomNormal({ mean: 0, stddev: this.stddev }));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.add(oneTensor(inputs), this.embeddings.read()));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), stddev: this.stddev };
  }
}
