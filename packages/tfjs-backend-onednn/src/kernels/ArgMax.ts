import { ArgMax, util } from '@tensorflow/tfjs-core';
import type { ArgMaxAttrs, KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { sizeOf, withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';

/** tf.argMax of a float32 tensor over one axis (the accuracy metric); int32 result. */
export const argMaxConfig: KernelConfig = {
  kernelName: ArgMax,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(ArgMax, ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    const xv = backend.f32(x);
    if (!xv || xv.length === 0) return null;
    const axes = util.parseAxisParam((attrs as unknown as ArgMaxAttrs).axis, x.shape);
    if (axes.length !== 1) return null;
    const [axis] = axes;
    const outShape = x.shape.filter((_, i) => i !== axis);
    const outer = sizeOf(x.shape.slice(0, axis)), inner = sizeOf(x.shape.slice(axis + 1));
    const y = new Int32Array(outer * inner);
    nat().argMax(xv, y, outer, x.shape[axis], inner);
    return backend.makeTensorInfo(outShape, 'int32', y);
  }),
};
