// Softmax over the last axis with oneDNN's softmax primitive.
import { Softmax } from '@tensorflow/tfjs-core';
import type { KernelConfig, SoftmaxAttrs } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';

export const softmaxConfig: KernelConfig = {
  kernelName: Softmax,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(Softmax, ({ inputs, backend, attrs }) => {
    const { logits } = inputs;
    const { dim } = attrs as unknown as SoftmaxAttrs;
    const xv = backend.f32(logits);
    const rank = logits.shape.length;
    if (!xv || xv.length === 0 || rank === 0 || (dim !== -1 && dim !== rank - 1)) return null;
    const cols = logits.shape[rank - 1];
    const y = backend.allocF32(xv.length);
    nat().softmax(xv, y, xv.length / cols, cols);
    return backend.makeF32(logits.shape, y);
  }),
};
