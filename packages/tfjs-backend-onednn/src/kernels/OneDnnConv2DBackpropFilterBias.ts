// Filter and bias gradients of a conv2d from one oneDNN backward-weights
// primitive (one pass over x and dy instead of conv-backprop + Sum).
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import type { KernelArgs } from '../kernel_utils.js';
import { sizeOf } from '../kernel_utils.js';
import { nat } from '../native.js';
import { nativeGeom } from './conv_geom.js';
import { OneDnnConv2DBackpropFilterBias } from './custom_names.js';

export const oneDnnConv2DBackpropFilterBiasConfig: KernelConfig = {
  kernelName: OneDnnConv2DBackpropFilterBias,
  backendName: BACKEND_NAME,
  kernelFunc: ((args: KernelArgs): TensorInfo[] => {
    const { inputs: { x, dy }, backend, attrs } = args;
    const { strides, pad, dimRoundingMode, filterShape } = attrs as unknown as {
      strides: [number, number] | number; pad: 'valid' | 'same' | number;
      dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number];
    };
    const xv = backend.f32(x), dyv = backend.f32(dy);
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number],
      filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const g = nativeGeom(info);
    if (!xv || !dyv || !g) throw new Error('OneDnnConv2DBackpropFilterBias: unsupported inputs');
    const dw = backend.allocF32(sizeOf(filterShape));
    const db = backend.allocF32(filterShape[3]);
    nat().conv2dBackwardWeights(xv, x.shape, dyv, dy.shape, dw, filterShape, g.strides, g.dilations,
      g.padL, g.padR, db);
    return [backend.makeF32(filterShape, dw), backend.makeF32([filterShape[3]], db)];
  }) as unknown as KernelConfig['kernelFunc'],
};
