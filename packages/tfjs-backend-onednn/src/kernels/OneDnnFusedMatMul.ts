// Training-time twin of _FusedMatMul: same computation (matmul + bias +
// relu in one oneDNN matmul with post-ops) under its own name, so that it
// can carry a gradient (gradients/OneDnnFusedMatMul_grad.ts). tfjs's
// fused.matMul does not fuse non-linear activations while gradients are
// recorded.
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { OneDnnFusedMatMul } from './custom_names.js';
import { fusedMatMulConfig } from './_FusedMatMul.js';

export const oneDnnFusedMatMulConfig: KernelConfig = {
  kernelName: OneDnnFusedMatMul,
  backendName: BACKEND_NAME,
  kernelFunc: fusedMatMulConfig.kernelFunc,
};
