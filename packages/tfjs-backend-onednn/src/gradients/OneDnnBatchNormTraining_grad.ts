// Gradient of OneDnnBatchNormTraining (patches/batch_norm.ts): batch norm
// whose mean and variance are the moments of x itself, so dx includes the
// path through them. With N rows, r = 1/√(variance + ε), k = scale·r:
//   dx = dy·k + dMean/N + dVariance·2(x − mean)/N
// where dMean, dVariance are FusedBatchNorm's parameter gradients
// (−k·Σdy and −½·r²·k·Σdy(x − mean)): what tfjs's FusedBatchNorm and moments
// gradients add up to, in two native passes over (x, dy) instead of
// FusedBatchNorm's dx, the moments gradient and their sum (the mean and
// variance inputs are aliases outside the tape, so the moments node gets no
// gradient from here). dScale = r·Σdy(x − mean), dOffset = Σdy.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs-core';
import { OneDnnBatchNormTraining, OneDnnFusedBatchNormGrad, OneDnnMomentsGrad } from '../kernels/custom_names.js';
import type { OneDnnBatchNormTrainingAttrs } from '../kernels/custom_names.js';

export const oneDnnBatchNormTrainingGradConfig: GradConfig = {
  kernelName: OneDnnBatchNormTraining,
  // The patch always passes scale and offset (ones and zeros off the tape when absent).
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dyIn: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
    const dy = dyIn as tf.Tensor;
    const { varianceEpsilon } = attrs as unknown as OneDnnBatchNormTrainingAttrs;
    const [x, mean, variance, scale] = saved;
    const engine = tf.engine();
    const [dMean, dVariance, dScale, dOffset, k] = engine.runKernel(OneDnnFusedBatchNormGrad,
      { x, dy, mean, variance, scale }, { varianceEpsilon } as unknown as NamedAttrMap) as tf.Tensor[];
    return {
      x: () => engine.runKernel(OneDnnMomentsGrad, { x, mean, dMean, dVariance, dy, k }, {}) as tf.Tensor,
      scale: () => tf.reshape(dScale, scale.shape),
      offset: () => tf.reshape(dOffset, scale.shape),
      // Aliases outside the tape: never asked for.
      mean: () => tf.zerosLike(mean),
      variance: () => tf.zerosLike(variance),
    };
  },
};
