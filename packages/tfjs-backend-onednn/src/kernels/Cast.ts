import { Cast } from '@tensorflow/tfjs-core';
import type { CastAttrs, KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { withFallback } from '../kernel_utils.js';

/**
 * tf.cast: to the dtype the tensor has, a view (the same storage, one more reference, as
 * tfjs-cpu's Identity); bool or int32 to float32, a converted copy (the accuracy metric casts its
 * bool matches). Other casts (float32 to int32 or bool, complex) go to tfjs-cpu.
 */
export const castConfig: KernelConfig = {
  kernelName: Cast,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(Cast, ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    const { dtype } = attrs as unknown as CastAttrs;
    const v = backend.typed(x);
    if (!v || v.length === 0) return null;
    if (dtype === x.dtype) {
      backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype };
    }
    if (dtype !== 'float32' || (x.dtype !== 'bool' && x.dtype !== 'int32')) return null;
    const y = backend.allocF32(v.length);
    y.set(v);
    return backend.makeF32(x.shape, y);
  }),
};
