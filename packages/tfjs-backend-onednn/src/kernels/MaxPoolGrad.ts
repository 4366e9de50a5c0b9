// MaxPoolGrad: tfjs passes (dy, input, output); oneDNN needs its own argmax
// workspace, which the native side recomputes from `input`.
import { MaxPoolGrad } from '@tensorflow/tfjs-core';
import type { KernelConfig, MaxPoolGradAttrs } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { sizeOf, withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';
import { poolGeom } from './pool_common.js';

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(MaxPoolGrad, ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs;
    const xv = backend.f32(input), dyv = backend.f32(dy);
    const pg = xv && dyv && poolGeom(input.shape, attrs as unknown as MaxPoolGradAttrs);
    if (!xv || !dyv || !pg || pg.info.outShape.some((d, i) => d !== dy.shape[i])) return null;
    const { g } = pg;
    const dx = backend.allocF32(sizeOf(input.shape));
    nat().maxPoolBackward(xv, input.shape, dyv, dy.shape, dx, g.kernel, g.strides, g.padL, g.padR);
    return backend.makeF32(input.shape, dx);
  }),
};
