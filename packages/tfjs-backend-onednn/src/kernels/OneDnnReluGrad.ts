// dy * (y > 0) in one pass (tfjs spells it mul(dy, step(y)): two passes and
// an extra temporary the size of the activation).
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { withFallback } from '../kernel_utils.js';
import { BinaryOp, nat } from '../native.js';
import { OneDnnReluGrad } from './custom_names.js';

export const oneDnnReluGradConfig: KernelConfig = {
  kernelName: OneDnnReluGrad,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(OneDnnReluGrad, ({ inputs, backend }) => {
    const { dy, y } = inputs;
    const dyv = backend.f32(dy), yv = backend.f32(y);
    if (!dyv || !yv || dyv.length !== yv.length) {
      throw new Error('OneDnnReluGrad: dy and y must be float32 tensors of equal size');
    }
    const out = backend.allocF32(dyv.length);
    nat().binary(BinaryOp.ReluGrad, dyv, yv, out);
    return backend.makeF32(dy.shape, out);
  }),
};
