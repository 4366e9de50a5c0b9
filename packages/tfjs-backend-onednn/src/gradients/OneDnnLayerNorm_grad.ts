// Gradient of OneDnnLayerNorm: dx, dgamma and dbeta from one native call (OneDnnLayerNormGrad),
// run in the body of gradFunc; the engine then asks for the parts it needs.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs-core';
import { OneDnnLayerNorm, OneDnnLayerNormGrad } from '../kernels/custom_names.js';

export const oneDnnLayerNormGradientConfig: GradConfig = {
  kernelName: OneDnnLayerNorm,
  inputsToSave: ['x', 'gamma'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
    const [x, gamma] = saved;
    const [dx, dgamma, dbeta] = tf.engine().runKernel(OneDnnLayerNormGrad,
      { x, gamma, dy: dy as tf.Tensor }, attrs) as tf.Tensor[];
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};
