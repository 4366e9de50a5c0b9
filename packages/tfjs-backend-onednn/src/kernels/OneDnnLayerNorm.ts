// Layer normalisation over the last axis (the transformer's LayerNormalization) and its
// gradient, each one native call on oneDNN's layer_normalization primitives.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import type { OneDnnBackend } from '../backend.js';
import { withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';
import { OneDnnLayerNorm, OneDnnLayerNormGrad } from './custom_names.js';
import type { OneDnnLayerNormAttrs } from './custom_names.js';

/** x's values, rows and channels, or a RangeError naming the kernel. */
function checked(kernel: string, backend: OneDnnBackend, x: TensorInfo, gamma: TensorInfo,
  epsilon: unknown, dy?: TensorInfo): { xv: Float32Array; gv: Float32Array; rows: number; C: number } {
  const xv = backend.f32(x), gv = backend.f32(gamma);
  const C = x.shape[x.shape.length - 1];
  if (!xv || !gv || x.shape.length < 2 || xv.length === 0 || gamma.shape.length !== 1 || gv.length !== C) {
    throw new RangeError(`${kernel}: x must be a non-empty float32 tensor of rank >= 2 and gamma, beta ` +
      `float32 [C] for its last axis C (got x ${x.dtype} [${x.shape}], gamma ${gamma.dtype} [${gamma.shape}])`);
  }
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) {
    throw new RangeError(`${kernel}: attribute epsilon must be a positive number (got ${String(epsilon)})`);
  }
  if (dy && (!backend.f32(dy) || dy.shape.join() !== x.shape.join())) {
    throw new RangeError(`${kernel}: dy must be float32 of x's shape [${x.shape}] (got [${dy.shape}])`);
  }
  return { xv, gv, rows: xv.length / C, C };
}

export const oneDnnLayerNormConfig: KernelConfig = {
  kernelName: OneDnnLayerNorm,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(OneDnnLayerNorm, ({ inputs, backend, attrs }) => {
    const { x, gamma, beta } = inputs;
    const { epsilon } = attrs as unknown as OneDnnLayerNormAttrs;
    const { xv, gv, rows, C } = checked(OneDnnLayerNorm, backend, x, gamma, epsilon);
    const bv = beta ? backend.f32(beta) : null;
    if (!bv || bv.length !== C || beta.shape.length !== 1) {
      throw new RangeError(`${OneDnnLayerNorm}: beta must be float32 [${C}] (got ${beta?.dtype} [${beta?.shape}])`);
    }
    const y = backend.allocF32(xv.length);
    nat().layerNormForward(xv, gv, bv, y, rows, C, epsilon);
    return backend.makeF32(x.shape, y);
  }),
};

export const oneDnnLayerNormGradConfig: KernelConfig = {
  kernelName: OneDnnLayerNormGrad,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(OneDnnLayerNormGrad, ({ inputs, backend, attrs }) => {
    const { x, gamma, dy } = inputs;
    const { epsilon } = attrs as unknown as OneDnnLayerNormAttrs;
    const { xv, gv, rows, C } = checked(OneDnnLayerNormGrad, backend, x, gamma, epsilon, dy);
    const dx = backend.allocF32(xv.length), dgamma = backend.allocF32(C), dbeta = backend.allocF32(C);
    nat().layerNormBackward(xv, backend.f32(dy) as Float32Array, gv, dx, dgamma, dbeta, rows, C, epsilon);
    return [backend.makeF32(x.shape, dx), backend.makeF32([C], dgamma), backend.makeF32([C], dbeta)];
  }),
};
