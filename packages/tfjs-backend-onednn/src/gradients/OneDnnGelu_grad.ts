// Gradient of OneDnnGelu: dx = dy · gelu'(x), one native call.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig } from '@tensorflow/tfjs-core';
import { OneDnnGelu, OneDnnGeluGrad } from '../kernels/custom_names.js';

export const oneDnnGeluGradientConfig: GradConfig = {
  kernelName: OneDnnGelu,
  inputsToSave: ['x'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [x] = saved;
    return { x: () => tf.engine().runKernel(OneDnnGeluGrad, { x, dy: dy as tf.Tensor }, {}) as tf.Tensor };
  },
};
