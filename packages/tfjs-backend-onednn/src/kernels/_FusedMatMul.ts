// matmul + bias + activation as one oneDNN matmul with bias and an eltwise
// post-op (tfjs-layers' Dense runs through this kernel).
import { _FusedMatMul } from '@tensorflow/tfjs-core';
import type { _FusedMatMulAttrs, KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { activationCode, withFallback } from '../kernel_utils.js';
import { nativeMatMul } from './matmul_common.js';

export const fusedMatMulConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(_FusedMatMul, ({ inputs, backend, attrs }) => {
    const { a, b, bias, preluActivationWeights } = inputs;
    const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as unknown as _FusedMatMulAttrs;
    const act = activationCode(activation);
    if (act === null || preluActivationWeights != null) return null;
    let bv: Float32Array | null = null;
    if (bias != null) {
      bv = backend.f32(bias);
      // Only a bias along the last (N) axis: [N] or [1, .., 1, N].
      if (!bv || bv.length !== bias.shape[bias.shape.length - 1]) return null;
    }
    return nativeMatMul(backend, a, b, transposeA, transposeB, bv, act, leakyreluAlpha ?? 0.2);
  }),
};
