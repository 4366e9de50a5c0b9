// Factories for the comparison and logical kernels (each kernel has its own file): same-shape
// operands or a scalar one, float32 or int32 (comparisons) and bool (logical), bool result.
// Other broadcasts and dtypes go to tfjs-cpu.
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
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

/**
 * A kernel with a bool result of two operands' broadcast (same size, or a scalar operand):
 * `native` writes it when `accepts` takes the operands' values, tfjs-cpu runs otherwise.
 */
function boolKernel<V>(kernelName: string, accepts: (a: TensorInfo, b: TensorInfo, av: unknown, bv: unknown) => boolean,
  native: (av: V, bv: V, y: Uint8Array) => void): KernelConfig {
  return {
    kernelName,
    backendName: BACKEND_NAME,
    kernelFunc: withFallback(kernelName, ({ inputs, backend }) => {
      const { a, b } = inputs;
      const av = backend.typed(a), bv = backend.typed(b);
      const out = simpleBroadcast(a, b);
      if (!out || !av || !bv || !accepts(a, b, av, bv)) return null;
      const y = new Uint8Array(sizeOf(out));
      native(av as V, bv as V, y);
      return backend.makeTensorInfo(out, 'bool', y);
    }),
  };
}

/** A comparison (opCodes.compare) of two float32 or two int32 tensors. */
export function compareKernel(kernelName: string, op: number): KernelConfig {
  return boolKernel<Float32Array | Int32Array>(kernelName, (a, b, av, bv) => a.dtype === b.dtype &&
    ((a.dtype === 'float32' && av instanceof Float32Array && bv instanceof Float32Array) ||
     (a.dtype === 'int32' && av instanceof Int32Array && bv instanceof Int32Array)),
  (av, bv, y) => nat().compare(op, av, bv, y));
}

/** A logical op (opCodes.logical) of two bool tensors. */
export function logicalKernel(kernelName: string, op: number): KernelConfig {
  return boolKernel<Uint8Array>(kernelName, (a, b, av, bv) => a.dtype === 'bool' && b.dtype === 'bool' &&
    av instanceof Uint8Array && bv instanceof Uint8Array,
  (av, bv, y) => nat().logical(op, av, bv, y));
}
