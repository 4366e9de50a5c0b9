import { BatchMatMul } from '@tensorflow/tfjs-core';
import type { BatchMatMulAttrs, KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { withFallback } from '../kernel_utils.js';
import { Act } from '../native.js';
import { nativeMatMul } from './matmul_common.js';

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(BatchMatMul, ({ inputs, backend, attrs }) => {
    const { a, b } = inputs;
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    return nativeMatMul(backend, a, b, transposeA, transposeB, null, Act.linear, 0);
  }),
};
