// Factories for the comparison and logical kernels (each kernel has its own file): same-shape
// operands or a scalar one, float32 or int32 (comparisons) and bool (logical), bool result.
// Other broadcasts and dtypes go to tfjs-cpu.
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import type { OneDnnBackend } from '../backend.js';
import { sizeOf, withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';

/** The output shape when a and b have the same size, or one of them is a single value; else null. */
function simpleBroadcast(a: TensorInfo, b: TensorInfo): number[] | null {
  let out: number[];
  try {
    out = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  } catch {
    return null;
  }
  const n = sizeOf(out), na = sizeOf(a.shape), nb = sizeOf(b.shape);
  return n > 0 && (na === n || na === 1) && (nb === n || nb === 1) ? out : null;
}

function boolResult(backend: OneDnnBackend, out: number[]): { y: Uint8Array; info: () => TensorInfo } {
  const y = new Uint8Array(sizeOf(out));
  return { y, info: () => backend.makeTensorInfo(out, 'bool', y) };
}

/** A comparison (opCodes.compare) of two float32 or two int32 tensors. */
export function compareKernel(kernelName: string, op: number): KernelConfig {
  return {
    kernelName,
    backendName: BACKEND_NAME,
    kernelFunc: withFallback(kernelName, ({ inputs, backend }) => {
      const { a, b } = inputs;
      const av = backend.typed(a), bv = backend.typed(b);
      const out = simpleBroadcast(a, b);
      if (!out || !av || !bv || a.dtype !== b.dtype || (a.dtype !== 'float32' && a.dtype !== 'int32') ||
          av.constructor !== bv.constructor || av instanceof Uint8Array) return null;
      const { y, info } = boolResult(backend, out);
      nat().compare(op, av as Float32Array | Int32Array, bv as Float32Array | Int32Array, y);
      return info();
    }),
  };
}

/** A logical op (opCodes.logical) of two bool tensors. */
export function logicalKernel(kernelName: string, op: number): KernelConfig {
  return {
    kernelName,
    backendName: BACKEND_NAME,
    kernelFunc: withFallback(kernelName, ({ inputs, backend }) => {
      const { a, b } = inputs;
      const av = backend.typed(a), bv = backend.typed(b);
      const out = simpleBroadcast(a, b);
      if (!out || a.dtype !== 'bool' || b.dtype !== 'bool' || !(av instanceof Uint8Array) ||
          !(bv instanceof Uint8Array)) return null;
      const { y, info } = boolResult(backend, out);
      nat().logical(op, av, bv, y);
      return info();
    }),
  };
}
