// Test helpers: run the same computation on 'onednn' and 'cpu' from the same
// random inputs and measure the difference.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node bundle carries no gradient functions; tfjs-layers' bundle
// registers them (as @tensorflow/tfjs does).
import '@tensorflow/tfjs-layers';
import { isAvailable, kernelStats, loadError, resetKernelStats } from '../src/index.js';

if (!isAvailable()) throw loadError ?? new Error('onednn backend unavailable');

export { tf };

let seed = 12345;
/** Fresh random data (deterministic per test run, different per call unless fixedSeed). */
export function rand(shape: number[], lo = -1, hi = 1, fixedSeed?: number): { shape: number[]; data: Float32Array } {
  let s = fixedSeed ?? seed;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = lo + (hi - lo) * (s / 2147483648);
  }
  if (fixedSeed === undefined) seed = s;
  return { shape, data };
}

type Input = { shape: number[]; data: Float32Array | Int32Array; dtype?: tf.DataType };

/** Runs fn on a backend with fresh tensors built from `inputs`; returns plain outputs. */
export async function runOn(backendName: string, inputs: Input[],
  fn: (...ts: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<{ shape: number[]; data: Float32Array }[]> {
  await tf.setBackend(backendName);
  return tf.tidy(() => {
    const ts = inputs.map((i) => tf.tensor(i.data, i.shape, i.dtype ?? 'float32'));
    const out = fn(...ts);
    const outs = Array.isArray(out) ? out : [out];
    return outs.map((o) => ({ shape: o.shape, data: Float32Array.from(o.dataSync() as Float32Array) }));
  });
}

/**
 * Per-element relative error with an absolute floor: max over i of
 * |a_i - b_i| / (|b_i| + ABS_FLOOR · max|b|). An element near the tensor's
 * largest value is held to `tol` relative to itself, and so is a small one
 * down to 1 % of the largest (a measure scaled by max|b| alone lets an element
 * at e^-3 of the largest be 4 % off under tol = 1e-4); below that, the floor
 * absorbs the absolute float32 rounding left by cancellation in sums.
 */
export const ABS_FLOOR = 1e-2;
export function relErr(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) if (Math.abs(b[i]) > scale) scale = Math.abs(b[i]);
  const floor = ABS_FLOOR * scale;
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) {
      if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
      return Infinity;
    }
    const d = Math.abs(a[i] - b[i]);
    if (d === 0) continue;
    const e = d / (Math.abs(b[i]) + floor);
    if (e > worst) worst = e;
  }
  return worst;
}

/**
 * Asserts onednn and cpu agree (per-element relative error < tol, see relErr) and that each kernel in
 * `expectNative` ran natively on the onednn side (so a silent fallback fails).
 */
export async function assertSame(inputs: Input[], fn: (...ts: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  expectNative: string[], tol = 1e-4, label = ''): Promise<void> {
  resetKernelStats();
  const got = await runOn('onednn', inputs, fn);
  const stats = kernelStats();
  const want = await runOn('cpu', inputs, fn);
  for (const k of expectNative) {
    assert.ok((stats.native[k] ?? 0) > 0, `${label}: ${k} did not run natively (stats ${JSON.stringify(stats)})`);
  }
  assert.equal(got.length, want.length);
  for (let i = 0; i < got.length; i++) {
    assert.deepEqual(got[i].shape, want[i].shape, `${label}: output ${i} shape`);
    const e = relErr(got[i].data, want[i].data);
    assert.ok(e < tol, `${label}: output ${i} relative error ${e} >= ${tol}`);
  }
}

/** Gradients of sum(f(...) · w) for a fixed random w (so every output element matters). */
export function gradsOf(f: (...ts: tf.Tensor[]) => tf.Tensor, outShape: number[]) {
  const w = rand(outShape, -1, 1, 777);
  return (...ts: tf.Tensor[]) => tf.grads((...xs: tf.Tensor[]) =>
    tf.sum(tf.mul(f(...xs), tf.tensor(w.data, w.shape))))(ts);
}

/**
 * The kernel's gradient (on onednn) against central differences of its own forward, at four elements of each input
 * (the first, the last and two between) or at the ones `at` picks, with step h (default 1e-2).
 */
export async function assertFiniteDifferences(inputs: { shape: number[]; data: Float32Array }[],
  f: (...ts: tf.Tensor[]) => tf.Tensor, outShape: number[], label: string,
  { h = 1e-2, at }: { h?: number; at?: (input: number, n: number) => number[] } = {}): Promise<void> {
  await tf.setBackend('onednn');
  const w = rand(outShape, -1, 1, 555);
  const loss = (data: Float32Array[]) => tf.tidy(() => tf.sum(tf.mul(
    f(...data.map((d, i) => tf.tensor(d, inputs[i].shape))), tf.tensor(w.data, w.shape))).dataSync()[0]);
  const analytic = tf.tidy(() => tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), tf.tensor(w.data, w.shape))))(
    inputs.map((i) => tf.tensor(i.data, i.shape))).map((g) => Float32Array.from(g.dataSync())));
  inputs.forEach((input, i) => {
    const n = input.data.length;
    const scale = Math.max(...analytic[i].map(Math.abs));
    for (const j of at?.(i, n) ?? [0, Math.floor(n / 3), Math.floor((2 * n) / 3), n - 1]) {
      const plus = inputs.map((x) => Float32Array.from(x.data)), minus = inputs.map((x) => Float32Array.from(x.data));
      plus[i][j] += h;
      minus[i][j] -= h;
      const numeric = (loss(plus) - loss(minus)) / (2 * h);
      assert.ok(Math.abs(numeric - analytic[i][j]) <= 2e-2 * scale + 2e-3,
        `${label}: d/d input ${i}[${j}] analytic ${analytic[i][j]} vs numeric ${numeric}`);
    }
  });
}
