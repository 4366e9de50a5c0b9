// Factory for the reduction kernels: the reduced axes must form one
// contiguous block, so the tensor folds to [outer, reduce, inner].
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { sizeOf, withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';

export function reduceKernel(kernelName: string, op: number, axisAttr = 'axis'): KernelConfig {
  return {
    kernelName,
    backendName: BACKEND_NAME,
    kernelFunc: withFallback(kernelName, ({ inputs, backend, attrs }) => {
      const { x } = inputs;
      const xv = backend.f32(x);
      if (!xv || xv.length === 0 || !attrs) return null;
      const axisParam = attrs[axisAttr] as number | number[];
      const keepDims = attrs.keepDims as boolean;
      const axes = util.parseAxisParam(axisParam, x.shape).sort((p, q) => p - q);
      if (axes.length === 0) return null;
      for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1] + 1) return null;
      const first = axes[0], last = axes[axes.length - 1];
      const outer = sizeOf(x.shape.slice(0, first));
      const reduce = sizeOf(x.shape.slice(first, last + 1));
      const inner = sizeOf(x.shape.slice(last + 1));
      const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
      const shape = keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
      const y = backend.allocF32(outer * inner);
      nat().reduce(op, xv, y, outer, reduce, inner);
      return backend.makeF32(shape, y);
    }),
  };
}
