// Hand-written: tfjs-layers' categoricalCrossentropy has no label_smoothing argument.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * Keras's CategoricalCrossentropy(label_smoothing=ε) on softmax outputs: the one-hot targets become
 * y·(1 − ε) + ε/K before tfjs-layers' own categorical cross-entropy (which normalises and clips the probabilities).
 */
export function smoothedCategoricalCrossentropy(epsilon: number): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor {
  if (!(epsilon >= 0 && epsilon < 1)) throw new Error(`label smoothing must be in [0, 1), got ${epsilon}`);
  const loss = (yTrue: tf.Tensor, yPred: tf.Tensor) =>
    tf.tidy(() => {
      const k = yTrue.shape[yTrue.shape.length - 1]!;
      const smoothed = epsilon > 0 ? tf.add(tf.mul(yTrue, 1 - epsilon), epsilon / k) : yTrue;
      return tfl.metrics.categoricalCrossentropy(smoothed, yPred);
    });
  return loss;
}
