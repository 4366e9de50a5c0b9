// Training-time twin of FusedConv2D: same computation (conv + bias + relu
// in one oneDNN primitive) under its own name, so that it can carry a
// gradient (gradients/OneDnnFusedConv2D_grad.ts). tfjs's fused.conv2d does
// not fuse non-linear activations while gradients are recorded.
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { OneDnnFusedConv2D } from './custom_names.js';
import { fusedConv2DConfig } from './FusedConv2D.js';

export const oneDnnFusedConv2DConfig: KernelConfig = {
  kernelName: OneDnnFusedConv2D,
  backendName: BACKEND_NAME,
  kernelFunc: fusedConv2DConfig.kernelFunc,
};
