// GELU (exact erf form, 0.5·x·(1 + erf(x/√2))) and its gradient on oneDNN's eltwise gelu_erf.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import type { OneDnnBackend } from '../backend.js';
import { withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';
import { OneDnnGelu, OneDnnGeluGrad } from './custom_names.js';

function values(kernel: string, backend: OneDnnBackend, x: TensorInfo, what: string): Float32Array {
  const v = backend.f32(x);
  if (!v || v.length === 0) {
    throw new RangeError(`${kernel}: ${what} must be a non-empty float32 tensor (got ${x?.dtype} [${x?.shape}])`);
  }
  return v;
}

export const oneDnnGeluConfig: KernelConfig = {
  kernelName: OneDnnGelu,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(OneDnnGelu, ({ inputs, backend }) => {
    const { x } = inputs;
    const xv = values(OneDnnGelu, backend, x, 'x');
    const y = backend.allocF32(xv.length);
    nat().geluForward(xv, y);
    return backend.makeF32(x.shape, y);
  }),
};

export const oneDnnGeluGradConfig: KernelConfig = {
  kernelName: OneDnnGeluGrad,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(OneDnnGeluGrad, ({ inputs, backend }) => {
    const { x, dy } = inputs;
    const xv = values(OneDnnGeluGrad, backend, x, 'x'), dyv = values(OneDnnGeluGrad, backend, dy, 'dy');
    if (dyv.length !== xv.length) throw new RangeError(`${OneDnnGeluGrad}: dy [${dy.shape}] is not x's shape [${x.shape}]`);
    const dx = backend.allocF32(xv.length);
    nat().geluBackward(xv, dyv, dx);
    return backend.makeF32(x.shape, dx);
  }),
};
