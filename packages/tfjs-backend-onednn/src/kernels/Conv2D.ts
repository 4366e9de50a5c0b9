import { Conv2D } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { withFallback } from '../kernel_utils.js';
import { nativeFusedConv2D } from './FusedConv2D.js';

// A plain convolution is the fused one without bias and with a linear activation.
export const conv2DConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(Conv2D, (args) => nativeFusedConv2D({ ...args, attrs: { ...args.attrs, activation: 'linear' } })),
};
