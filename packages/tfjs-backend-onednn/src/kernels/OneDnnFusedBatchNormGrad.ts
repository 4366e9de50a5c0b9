// FusedBatchNorm's gradient pieces for per-channel parameters in one native
// pass over (x, dy): dMean, dVariance, dScale, dOffset and the factor
// k = scale / sqrt(variance + eps) that gives dx = dy * k (see
// gradients/FusedBatchNorm_grad.ts, which decides when this applies).
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';
import { OneDnnFusedBatchNormGrad } from './custom_names.js';
import type { OneDnnFusedBatchNormGradAttrs } from './custom_names.js';

export const oneDnnFusedBatchNormGradConfig: KernelConfig = {
  kernelName: OneDnnFusedBatchNormGrad,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(OneDnnFusedBatchNormGrad, ({ inputs, backend, attrs }) => {
    const { x, dy, mean, variance, scale } = inputs;
    const xv = backend.f32(x), dyv = backend.f32(dy), mv = backend.f32(mean), vv = backend.f32(variance);
    const sv = scale != null ? backend.f32(scale) : null;
    const C = x.shape[x.shape.length - 1];
    if (!xv || !dyv || !mv || !vv || (scale != null && !sv) || dyv.length !== xv.length ||
        mv.length !== C || vv.length !== C || (sv && sv.length !== C)) {
      throw new Error('OneDnnFusedBatchNormGrad: x, dy and per-channel float32 mean/variance/scale expected');
    }
    const { varianceEpsilon } = attrs as unknown as OneDnnFusedBatchNormGradAttrs;
    const outs = [0, 1, 2, 3, 4].map(() => backend.allocF32(C));
    nat().batchNormGrad(xv, dyv, C, mv, vv, sv, varianceEpsilon, outs[0], outs[1], outs[2], outs[3], outs[4]);
    return outs.map((o): TensorInfo => backend.makeF32([C], o));
  }),
};
