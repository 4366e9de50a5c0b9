import { ClipByValue } from '@tensorflow/tfjs-core';
import type { ClipByValueAttrs, KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { withFallback } from '../kernel_utils.js';
import { nat, UnaryOp } from '../native.js';

/** tf.clipByValue of a float32 tensor (the cross-entropy loss clips its probabilities). */
export const clipByValueConfig: KernelConfig = {
  kernelName: ClipByValue,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(ClipByValue, ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    const { clipValueMin, clipValueMax } = attrs as unknown as ClipByValueAttrs;
    const xv = backend.f32(x);
    if (!xv || xv.length === 0) return null;
    const y = backend.allocF32(xv.length);
    nat().unary(UnaryOp.ClipByValue, xv, y, clipValueMin, clipValueMax);
    return backend.makeF32(x.shape, y);
  }),
};
