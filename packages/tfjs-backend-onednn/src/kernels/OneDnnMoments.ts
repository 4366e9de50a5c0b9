// tf.moments over every axis but the last (batch statistics of a
// BatchNormalization layer) in one native pass, and its gradient
// dx = dMean / N + dVariance * 2 (x - mean) / N in one more. Given dy and a
// per-channel k, OneDnnMomentsGrad also adds dy * k: the whole dx of the
// training-time batch norm (gradients/OneDnnBatchNormTraining_grad.ts).
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';
import { OneDnnMoments, OneDnnMomentsGrad } from './custom_names.js';
import type { OneDnnMomentsAttrs } from './custom_names.js';

export const oneDnnMomentsConfig: KernelConfig = {
  kernelName: OneDnnMoments,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(OneDnnMoments, ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    const xv = backend.f32(x);
    const C = x.shape[x.shape.length - 1];
    const { outShape } = attrs as unknown as OneDnnMomentsAttrs;
    if (!xv || xv.length === 0 || x.shape.length < 2 || outShape.reduce((a, b) => a * b, 1) !== C) {
      throw new Error('OneDnnMoments: a non-empty float32 tensor of rank >= 2 expected');
    }
    const mean = backend.allocF32(C), variance = backend.allocF32(C);
    nat().moments(xv, C, mean, variance);
    return [backend.makeF32(outShape, mean), backend.makeF32(outShape, variance)];
  }),
};

export const oneDnnMomentsGradConfig: KernelConfig = {
  kernelName: OneDnnMomentsGrad,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(OneDnnMomentsGrad, ({ inputs, backend }) => {
    const { x, mean, dMean, dVariance, dy, k } = inputs;
    const xv = backend.f32(x), mv = backend.f32(mean);
    const dm = dMean != null ? backend.f32(dMean) : null;
    const dv = dVariance != null ? backend.f32(dVariance) : null;
    const dyv = dy != null ? backend.f32(dy) : null, kv = k != null ? backend.f32(k) : null;
    const C = x.shape[x.shape.length - 1];
    if (!xv || !mv || mv.length !== C || (dMean != null && dm?.length !== C) ||
        (dVariance != null && dv?.length !== C) || (dy != null) !== (k != null) ||
        (dy != null && (dyv?.length !== xv.length || kv?.length !== C))) {
      throw new Error('OneDnnMomentsGrad: float32 x (and dy) and per-channel mean/dMean/dVariance (and k) expected');
    }
    const dx = backend.allocF32(xv.length);
    nat().momentsGrad(xv, C, mv, dm, dv, dx, dyv, kv);
    return backend.makeF32(x.shape, dx);
  }),
};
