import { MaxPool } from '@tensorflow/tfjs-core';
import type { KernelConfig, MaxPoolAttrs } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { sizeOf, withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';
import { poolGeom } from './pool_common.js';

export const maxPoolConfig: KernelConfig = {
  kernelName: MaxPool,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(MaxPool, ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    const xv = backend.f32(x);
    const pg = xv && poolGeom(x.shape, attrs as unknown as MaxPoolAttrs);
    if (!xv || !pg) return null;
    const { info, g } = pg;
    const y = backend.allocF32(sizeOf(info.outShape));
    nat().poolForward(xv, x.shape, y, info.outShape, g.kernel, g.strides, g.padL, g.padR, true);
    return backend.makeF32(info.outShape, y);
  }),
};
