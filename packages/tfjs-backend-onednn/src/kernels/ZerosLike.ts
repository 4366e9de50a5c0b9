import { ZerosLike } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { withFallback } from '../kernel_utils.js';

/** tf.zerosLike of a float32 tensor; other dtypes go to tfjs-cpu. */
export const zerosLikeConfig: KernelConfig = {
  kernelName: ZerosLike,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(ZerosLike, ({ inputs, backend }) => {
    const { x } = inputs;
    if (x.dtype !== 'float32' || x.shape.some((d) => d === 0)) return null;
    const y = backend.allocF32(x.shape.reduce((p, q) => p * q, 1)).fill(0);
    return backend.makeF32(x.shape, y);
  }),
};
