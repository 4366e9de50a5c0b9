import { Select } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';

/**
 * tf.where(condition, a, b) with a bool condition of the float32 operands' shape (the gradient
 * of clipByValue); a rank-1 condition selecting rows goes to tfjs-cpu.
 */
export const selectConfig: KernelConfig = {
  kernelName: Select,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(Select, ({ inputs, backend }) => {
    const { condition, t, e } = inputs;
    const c = backend.typed(condition), tv = backend.f32(t), ev = backend.f32(e);
    if (condition.dtype !== 'bool' || !(c instanceof Uint8Array) || !tv || !ev || tv.length === 0 ||
        c.length !== tv.length || ev.length !== tv.length) return null;
    const y = backend.allocF32(tv.length);
    nat().select(c, tv, ev, y);
    return backend.makeF32(t.shape, y);
  }),
};
