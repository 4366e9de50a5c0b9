import { backend_util, Conv2D } from '@tensorflow/tfjs-core';
import type { Conv2DAttrs, KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { sizeOf, withFallback } from '../kernel_utils.js';
import { Act, nat } from '../native.js';
import { nativeGeom } from './conv_geom.js';

export const conv2DConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(Conv2D, ({ inputs, backend, attrs }) => {
    const { x, filter } = inputs;
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as Conv2DAttrs;
    const xv = backend.f32(x), wv = backend.f32(filter);
    if (!xv || !wv || dataFormat !== 'NHWC') return null;
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number], strides, dilations, pad, dimRoundingMode,
      false, 'channelsLast');
    const g = nativeGeom(info);
    if (!g) return null;
    const y = backend.allocF32(sizeOf(info.outShape));
    nat().conv2dForward(xv, x.shape, wv, filter.shape, null, y, info.outShape, g.strides,
      g.dilations, g.padL, g.padR, Act.linear, 0);
    return backend.makeF32(info.outShape, y);
  }),
};
