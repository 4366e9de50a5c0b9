import { backend_util, Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { sizeOf, withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';
import { nativeGeom } from './conv_geom.js';

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(Conv2DBackpropFilter, ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
      attrs as unknown as Conv2DBackpropFilterAttrs;
    const xv = backend.f32(x), dyv = backend.f32(dy);
    if (!xv || !dyv || dataFormat !== 'NHWC') return null;
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number],
      filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const g = nativeGeom(info);
    if (!g || info.outShape.some((d, i) => d !== dy.shape[i])) return null;
    const dw = backend.allocF32(sizeOf(filterShape));
    nat().conv2dBackwardWeights(xv, x.shape, dyv, dy.shape, dw, filterShape, g.strides,
      g.dilations, g.padL, g.padR);
    return backend.makeF32(filterShape, dw);
  }),
};
