import { Transpose } from '@tensorflow/tfjs-core';
import type { KernelConfig, TransposeAttrs } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';

/**
 * Transpose of a float32 tensor by any permutation (a oneDNN reorder); the identity permutation
 * (tfjs-layers' Dense on a [B, T, C] input transposes its kernel by [0, 1]) is a view of the same
 * storage, as Reshape is. Other dtypes, empty tensors and ranks above oneDNN's 12 go to tfjs-cpu.
 */
export const transposeConfig: KernelConfig = {
  kernelName: Transpose,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(Transpose, ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    const { perm } = attrs as unknown as TransposeAttrs;
    const xv = backend.f32(x);
    const r = x.shape.length;
    if (!xv || xv.length === 0 || r === 0 || r > 12 || perm.length !== r) return null;
    if (perm.every((p, i) => p === i)) {
      backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    }
    const y = backend.allocF32(xv.length);
    nat().transpose(xv, x.shape, perm, y);
    return backend.makeF32(perm.map((p) => x.shape[p]), y);
  }),
};
