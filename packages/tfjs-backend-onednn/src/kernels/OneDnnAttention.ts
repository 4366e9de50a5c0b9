// Multi-head scaled dot-product attention on the [B, T, D] layout (heads read in place
// through strides, see native/attention.cc) and its gradient: one native call each.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import type { OneDnnBackend } from '../backend.js';
import { withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';
import { OneDnnAttention, OneDnnAttentionGrad } from './custom_names.js';
import type { OneDnnAttentionAttrs } from './custom_names.js';

interface Checked { B: number; T: number; D: number; heads: number; scale: number; vals: Float32Array[] }

/** The values of `tensors` (each [B, T, D] float32, q's shape) and the geometry, or a RangeError. */
function checked(kernel: string, backend: OneDnnBackend, tensors: Record<string, TensorInfo | undefined>,
  attrs: OneDnnAttentionAttrs): Checked {
  const { q } = tensors;
  if (!q || q.shape.length !== 3 || q.shape.some((d) => d < 1)) {
    throw new RangeError(`${kernel}: q must be a non-empty [B, T, D] tensor (got [${q?.shape}])`);
  }
  const [B, T, D] = q.shape;
  const { heads, scale } = attrs;
  if (!Number.isInteger(heads) || heads < 1 || D % heads !== 0) {
    throw new RangeError(`${kernel}: attribute heads must be a positive integer dividing D = ${D} (got ${heads})`);
  }
  if (typeof scale !== 'number' || !Number.isFinite(scale)) {
    throw new RangeError(`${kernel}: attribute scale must be a finite number (got ${String(scale)})`);
  }
  const vals = Object.entries(tensors).map(([name, t]) => {
    const v = t ? backend.f32(t) : null;
    const want = name === 'probs' ? [B, heads, T, T] : [B, T, D];
    if (!t || !v || t.shape.join() !== want.join()) {
      throw new RangeError(`${kernel}: ${name} must be float32 [${want}] (got ${t?.dtype} [${t?.shape}])`);
    }
    return v;
  });
  return { B, T, D, heads, scale, vals };
}

export const oneDnnAttentionConfig: KernelConfig = {
  kernelName: OneDnnAttention,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(OneDnnAttention, ({ inputs, backend, attrs }) => {
    const { q, k, v } = inputs;
    const { B, T, D, heads, scale, vals: [qv, kv, vv] } =
      checked(OneDnnAttention, backend, { q, k, v }, attrs as unknown as OneDnnAttentionAttrs);
    const out = backend.allocF32(B * T * D), probs = backend.allocF32(B * heads * T * T);
    nat().attentionForward(qv, kv, vv, out, probs, B, T, D, heads, scale);
    return [backend.makeF32([B, T, D], out), backend.makeF32([B, heads, T, T], probs)];
  }),
};

export const oneDnnAttentionGradConfig: KernelConfig = {
  kernelName: OneDnnAttentionGrad,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(OneDnnAttentionGrad, ({ inputs, backend, attrs }) => {
    const { q, k, v, probs, dy } = inputs;
    const { B, T, D, heads, scale, vals: [qv, kv, vv, pv, dyv] } =
      checked(OneDnnAttentionGrad, backend, { q, k, v, probs, dy }, attrs as unknown as OneDnnAttentionAttrs);
    const n = B * T * D;
    const dq = backend.allocF32(n), dk = backend.allocF32(n), dv = backend.allocF32(n);
    nat().attentionBackward(qv, kv, vv, pv, dyv, dq, dk, dv, B, T, D, heads, scale);
    return [backend.makeF32([B, T, D], dq), backend.makeF32([B, T, D], dk), backend.makeF32([B, T, D], dv)];
  }),
};
