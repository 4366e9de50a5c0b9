// Gradient of OneDnnAttention: dq, dk and dv from one native call (OneDnnAttentionGrad) on the
// probabilities the forward returned as its output 1. Only output 0 (the attention's result) is
// differentiated: the probabilities are the kernel's own business, callers use output 0.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs-core';
import { OneDnnAttention, OneDnnAttentionGrad } from '../kernels/custom_names.js';

export const oneDnnAttentionGradientConfig: GradConfig = {
  kernelName: OneDnnAttention,
  inputsToSave: ['q', 'k', 'v'],
  outputsToSave: [false, true],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
    const [q, k, v, probs] = saved;
    const dOut = (dy as tf.Tensor[])[0];
    const [dq, dk, dv] = tf.engine().runKernel(OneDnnAttentionGrad,
      { q, k, v, probs, dy: dOut }, attrs) as tf.Tensor[];
    return { q: () => dq, k: () => dk, v: () => dv };
  },
};
