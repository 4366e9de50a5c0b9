// Factories for the elementwise kernels (each kernel still has its own file).
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, StepAttrs } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { sizeOf, withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';

/** A float32 unary kernel computed natively; other dtypes go to tfjs-cpu. */
export function unaryKernel(kernelName: string, op: number): KernelConfig {
  return {
    kernelName,
    backendName: BACKEND_NAME,
    kernelFunc: withFallback(kernelName, ({ inputs, backend, attrs }) => {
      const { x } = inputs;
      const xv = backend.f32(x);
      if (!xv || xv.length === 0) return null;
      const alpha = kernelName === 'Step' ? (attrs as unknown as StepAttrs).alpha ?? 0 : 0;
      const y = backend.allocF32(xv.length);
      nat().unary(op, xv, y, alpha);
      return backend.makeF32(x.shape, y);
    }),
  };
}

/**
 * True when `small` broadcasts onto `out` by repetition of a trailing block:
 * after the first non-1 dim of `small` (left-padded with 1s), every dim equals
 * `out`'s. Then element i of the output reads small[i % size(small)].
 */
function trailingBroadcast(small: readonly number[], out: readonly number[]): boolean {
  const pad = out.length - small.length;
  if (pad < 0) return false;
  let started = false;
  for (let i = 0; i < out.length; i++) {
    const d = i < pad ? 1 : small[i - pad];
    if (!started && d !== 1) started = true;
    if (started && d !== out[i]) return false;
  }
  return true;
}

/**
 * True when `small` broadcasts onto `out` along trailing axes only: its
 * (left-padded) dims equal `out`'s up to some axis and are 1 after it
 * ([rows, 1] against [rows, cols]). Element i of the output then reads
 * small[floor(i / (size(out) / size(small)))].
 */
function leadingBroadcast(small: readonly number[], out: readonly number[]): boolean {
  const pad = out.length - small.length;
  if (pad < 0) return false;
  let ones = false;
  for (let i = 0; i < out.length; i++) {
    const d = i < pad ? 1 : small[i - pad];
    if (i < pad && out[i] !== 1) return false;
    if (ones) {
      if (d !== 1) return false;
    } else if (d !== out[i]) {
      if (d !== 1) return false;
      ones = true;
    }
  }
  return true;
}

/**
 * When `small` broadcasts onto `out` over a run of middle axes (its left-padded dims equal
 * `out`'s except for a run of 1s: [B, 1, C] against [B, T, C]), the size of the axes after the
 * run (`inner`); otherwise null.
 */
function middleBroadcast(small: readonly number[], out: readonly number[]): number | null {
  const pad = out.length - small.length;
  if (pad < 0) return null;
  const dims = out.map((_, i) => (i < pad ? 1 : small[i - pad]));
  let first = -1, last = -1;
  for (let i = 0; i < out.length; i++) {
    if (dims[i] === out[i]) continue;
    if (dims[i] !== 1) return null;
    if (first < 0) first = i;
    else if (last !== i - 1) return null;
    last = i;
  }
  if (first < 0) return null;
  return sizeOf(out.slice(last + 1));
}

/** A float32 binary kernel with trailing-, leading- or middle-axis broadcasting computed natively. */
export function binaryKernel(kernelName: string, op: number): KernelConfig {
  return {
    kernelName,
    backendName: BACKEND_NAME,
    kernelFunc: withFallback(kernelName, ({ inputs, backend }) => {
      const { a, b } = inputs;
      const av = backend.f32(a), bv = backend.f32(b);
      if (!av || !bv) return null;
      let out: number[];
      try {
        out = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      } catch {
        return null;
      }
      const n = sizeOf(out);
      if (n === 0 || av.length === 0 || bv.length === 0) return null;
      let rows = false;
      let inner: number | undefined;
      if (av.length === n && bv.length === n) {
        // same size (shapes equal up to leading 1s)
      } else if (av.length === n || bv.length === n) {
        const small = av.length === n ? b.shape : a.shape;
        if (!trailingBroadcast(small, out)) {
          if (leadingBroadcast(small, out)) rows = true;
          else inner = middleBroadcast(small, out) ?? undefined;
          if (!rows && inner === undefined) return null;
        }
      } else {
        return null;
      }
      const y = backend.allocF32(n);
      nat().binary(op, av, bv, y, rows, inner);
      return backend.makeF32(out, y);
    }),
  };
}
