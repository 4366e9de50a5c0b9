// Forward of the training-time batch norm (patches/batch_norm.ts): the same
// native loop as FusedBatchNorm, y = (x - mean) * scale / sqrt(variance + eps)
// + offset, with per-channel parameters. It is a kernel of its own because
// its gradient (gradients/OneDnnBatchNormTraining_grad.ts) also
// differentiates through mean and variance, which are the moments of x.
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';
import { OneDnnBatchNormTraining } from './custom_names.js';
import type { OneDnnBatchNormTrainingAttrs } from './custom_names.js';

export const oneDnnBatchNormTrainingConfig: KernelConfig = {
  kernelName: OneDnnBatchNormTraining,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(OneDnnBatchNormTraining, ({ inputs, backend, attrs }) => {
    const { x, mean, variance, scale, offset } = inputs;
    const C = x.shape[x.shape.length - 1];
    const xv = backend.f32(x);
    const param = (t: typeof x | undefined) => (t == null ? null : backend.f32(t));
    const m = param(mean), v = param(variance), s = param(scale), o = param(offset);
    if (!xv || xv.length === 0 || !m || !v || m.length !== C || v.length !== C ||
        (scale != null && s?.length !== C) || (offset != null && o?.length !== C)) {
      throw new Error('OneDnnBatchNormTraining: float32 x and per-channel float32 parameters expected');
    }
    const { varianceEpsilon } = attrs as unknown as OneDnnBatchNormTrainingAttrs;
    const y = backend.allocF32(xv.length);
    nat().batchNorm(xv, y, C, m, v, s, o, varianceEpsilon);
    return backend.makeF32(x.shape, y);
  }),
};
