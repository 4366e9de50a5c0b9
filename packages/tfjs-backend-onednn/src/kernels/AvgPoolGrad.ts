import { AvgPoolGrad } from '@tensorflow/tfjs-core';
import type { AvgPoolGradAttrs, KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { sizeOf, withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';
import { poolGeom } from './pool_common.js';

export const avgPoolGradConfig: KernelConfig = {
  kernelName: AvgPoolGrad,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(AvgPoolGrad, ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs;
    const dyv = backend.f32(dy);
    const pg = dyv && input.dtype === 'float32' && poolGeom(input.shape, attrs as unknown as AvgPoolGradAttrs);
    if (!dyv || !pg || pg.info.outShape.some((d, i) => d !== dy.shape[i])) return null;
    const { g } = pg;
    const dx = backend.allocF32(sizeOf(input.shape));
    nat().avgPoolBackward(dyv, dy.shape, dx, input.shape, g.kernel, g.strides, g.padL, g.padR);
    return backend.makeF32(input.shape, dx);
  }),
};
