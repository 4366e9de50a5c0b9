// Gradient of OneDnnGridSample: dx and dgrid from one native call (OneDnnGridSampleGrad), run
// in the body of gradFunc; the engine then asks for the parts it needs.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig } from '@tensorflow/tfjs-core';
import { OneDnnGridSample, OneDnnGridSampleGrad } from '../kernels/custom_names.js';

export const oneDnnGridSampleGradientConfig: GradConfig = {
  kernelName: OneDnnGridSample,
  inputsToSave: ['x', 'grid'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [x, grid] = saved;
    const [dx, dgrid] = tf.engine().runKernel(OneDnnGridSampleGrad, { x, grid, dy: dy as tf.Tensor }, {}) as tf.Tensor[];
    return { x: () => dx, grid: () => dgrid };
  },
};
