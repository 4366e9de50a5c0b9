import { backend_util, Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { sizeOf, withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';
import { nativeGeom } from './conv_geom.js';

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(Conv2DBackpropInput, ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs;
    const { inputShape, strides, pad, dataFormat, dimRoundingMode } =
      attrs as unknown as Conv2DBackpropInputAttrs;
    const dyv = backend.f32(dy), wv = backend.f32(filter);
    if (!dyv || !wv || dataFormat !== 'NHWC') return null;
    const info = backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number],
      strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const g = nativeGeom(info);
    if (!g || info.outShape.some((d, i) => d !== dy.shape[i])) return null;
    const dx = backend.allocF32(sizeOf(inputShape));
    nat().conv2dBackwardData(dyv, dy.shape, wv, filter.shape, dx, inputShape, g.strides,
      g.dilations, g.padL, g.padR);
    return backend.makeF32(inputShape, dx);
  }),
};
