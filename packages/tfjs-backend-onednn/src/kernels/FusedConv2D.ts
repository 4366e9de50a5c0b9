// Conv2D + bias + activation in one oneDNN primitive (bias and eltwise
// post-op). prelu, NCHW and non-per-channel bias go to tfjs-cpu.
import { backend_util, FusedConv2D } from '@tensorflow/tfjs-core';
import type { FusedConv2DAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { activationCode, sizeOf, withFallback, type KernelArgs } from '../kernel_utils.js';
import { nat } from '../native.js';
import { nativeGeom } from './conv_geom.js';

/** The native forward convolution; Conv2D uses it too (no bias, linear activation). */
export function nativeFusedConv2D({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { x, filter, bias, preluActivationWeights } = inputs;
  const { strides, pad, dataFormat, dilations, dimRoundingMode, activation, leakyreluAlpha } =
    attrs as unknown as FusedConv2DAttrs;
  const act = activationCode(activation);
  if (act === null || preluActivationWeights != null || dataFormat !== 'NHWC') return null;
  const xv = backend.f32(x), wv = backend.f32(filter);
  if (!xv || !wv) return null;
  const outChannels = filter.shape[3];
  let bv: Float32Array | null = null;
  if (bias != null) {
    bv = backend.f32(bias);
    // Per-channel bias only ([C] or [1,..,1,C]).
    if (!bv || bv.length !== outChannels || bias.shape[bias.shape.length - 1] !== outChannels) return null;
  }
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number], strides, dilations, pad, dimRoundingMode,
    false, 'channelsLast');
  const g = nativeGeom(info);
  if (!g) return null;
  const y = backend.allocF32(sizeOf(info.outShape));
  nat().conv2dForward(xv, x.shape, wv, filter.shape, bv, y, info.outShape, g.strides,
    g.dilations, g.padL, g.padR, act, leakyreluAlpha ?? 0.2);
  return backend.makeF32(info.outShape, y);
}

export const fusedConv2DConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(FusedConv2D, nativeFusedConv2D),
};
