// Gradient of OneDnnMoments (patches/moments.ts): with N the number of rows
// (every axis but the last), dx = dMean/N + dVariance·2(x − mean)/N in one
// native pass. tfjs's own moments differentiates mean(x) and
// mean(square(x − mean(x))) through about ten ops, including a term through
// the inner mean that is zero in exact arithmetic (Σ(x − mean) = 0) and is
// left out here.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig } from '@tensorflow/tfjs-core';
import { OneDnnMoments, OneDnnMomentsGrad } from '../kernels/custom_names.js';

export const oneDnnMomentsGradConfig: GradConfig = {
  kernelName: OneDnnMoments,
  inputsToSave: ['x'],
  outputsToSave: [true, false],
  gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [dMean, dVariance] = dys as tf.Tensor[];
    const [x, mean] = saved;
    return {
      x: () => tf.engine().runKernel(OneDnnMomentsGrad, { x, mean, dMean, dVariance }, {}) as tf.Tensor,
    };
  },
};
