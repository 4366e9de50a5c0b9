import { FusedBatchNorm } from '@tensorflow/tfjs-core';
import type { FusedBatchNormAttrs, KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { ensureFusedBatchNormGrad } from '../gradients/FusedBatchNorm_grad.js';
import { withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';

/**
 * tfjs's inference-form batch norm, y = (x - mean) * scale / sqrt(variance + eps) + offset,
 * natively when x and the parameters are float32 and each parameter has one value or one per
 * channel (last axis of x: [C], [1,1,1,C], …). tfjs-cpu cycles parameter i over
 * x's flat index modulo its length, which is exactly that for lengths 1 and C;
 * any other length (e.g. [H,W,C] parameters) runs the cpu kernel.
 *
 * Every run first makes sure the native gradient is the registered FusedBatchNorm gradient
 * (tfjs-layers may have registered tfjs-core's after this package was imported); the engine
 * looks the gradient up after the kernel has run.
 */
const forward = withFallback(FusedBatchNorm, ({ inputs, backend, attrs }) => {
  const { x, mean, variance, scale, offset } = inputs;
  const xv = backend.f32(x);
  if (!xv || xv.length === 0 || x.shape.length === 0) return null;
  const C = x.shape[x.shape.length - 1];
  const param = (t: typeof x | undefined): Float32Array | null | undefined => {
    if (t == null) return null; // absent: scale 1 / offset 0
    const v = backend.f32(t);
    return v && (v.length === 1 || v.length === C) ? v : undefined;
  };
  const m = param(mean), v = param(variance), s = param(scale), o = param(offset);
  if (!m || !v || s === undefined || o === undefined) return null;
  const eps = (attrs as unknown as FusedBatchNormAttrs | undefined)?.varianceEpsilon ?? 0.001;
  const y = backend.allocF32(xv.length);
  nat().batchNorm(xv, y, C, m, v, s, o, eps);
  return backend.makeF32(x.shape, y);
});

export const fusedBatchNormConfig: KernelConfig = {
  kernelName: FusedBatchNorm,
  backendName: BACKEND_NAME,
  kernelFunc: (args) => {
    ensureFusedBatchNormGrad();
    return forward(args);
  },
};
