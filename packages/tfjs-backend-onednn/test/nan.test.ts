// NaN and infinities through every native kernel, against tfjs-cpu: the same outputs are NaN
// and the others agree. A diverging network's loss must become NaN on `onednn` as on `cpu`
// (relu of NaN gave 0 and softmax of a row holding a NaN gave 0 elsewhere before the fix).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelStats, resetKernelStats } from '../src/index.js';
import { rand, runOn, tf } from './helpers.js';

/** Random data with NaN, +inf and -inf at fixed places (and a row of only -inf when asked). */
function poisoned(shape: number[]): { shape: number[]; data: Float32Array } {
  const r = rand(shape, -2, 2);
  const n = r.data.length;
  r.data[0] = NaN;
  if (n > 7) r.data[7] = Infinity;
  if (n > 12) r.data[12] = -Infinity;
  if (n > 20) r.data[n - 3] = NaN;
  return r;
}

function assertSameWithNaN(got: Float32Array, want: Float32Array, label: string): void {
  assert.equal(got.length, want.length, label);
  for (let i = 0; i < want.length; i++) {
    const a = got[i], b = want[i];
    if (Number.isNaN(b) || Number.isNaN(a)) {
      assert.ok(Number.isNaN(a) && Number.isNaN(b), `${label}: [${i}] onednn ${a}, cpu ${b}`);
    } else if (!Number.isFinite(b)) {
      assert.equal(a, b, `${label}: [${i}]`);
    } else {
      assert.ok(Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b)), `${label}: [${i}] onednn ${a}, cpu ${b}`);
    }
  }
}

async function check(label: string, shapes: number[][], fn: (...ts: tf.Tensor[]) => tf.Tensor,
  kernel: string, cpuHasNaN = true): Promise<void> {
  const inputs = shapes.map((s) => poisoned(s));
  resetKernelStats();
  const got = await runOn('onednn', inputs, fn);
  assert.ok((kernelStats().native[kernel] ?? 0) > 0, `${label}: ${kernel} did not run natively`);
  const want = await runOn('cpu', inputs, fn);
  if (cpuHasNaN) assert.ok(want[0].data.some(Number.isNaN), `${label}: the cpu reference has no NaN (bad test)`);
  assertSameWithNaN(got[0].data, want[0].data, label);
}

const unary: [string, (x: tf.Tensor) => tf.Tensor][] = [
  ['Relu', tf.relu], ['Relu6', tf.relu6], ['Step', (x) => tf.step(x)], ['Sigmoid', tf.sigmoid],
  ['Exp', tf.exp], ['Log', tf.log], ['Abs', tf.abs], ['Neg', tf.neg], ['Sqrt', tf.sqrt],
  ['Rsqrt', tf.rsqrt], ['Square', tf.square],
];
for (const [k, f] of unary) test(`NaN: ${k}`, () => check(k, [[3, 5, 7]], f, k));

const binary: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
  ['Add', tf.add], ['Sub', tf.sub], ['Multiply', tf.mul], ['RealDiv', tf.div],
  ['Maximum', tf.maximum], ['Minimum', tf.minimum], ['SquaredDifference', tf.squaredDifference],
];
for (const [k, f] of binary) {
  test(`NaN: ${k}, same shape and trailing broadcast`, async () => {
    await check(`${k} same shape`, [[4, 9], [4, 9]], f, k);
    await check(`${k} broadcast`, [[4, 9], [9]], f, k);
  });
}

const reductions: [string, (x: tf.Tensor) => tf.Tensor][] = [
  ['Sum', (x) => tf.sum(x, -1)], ['Mean', (x) => tf.mean(x, -1)], ['Max', (x) => tf.max(x, -1)],
  ['Min', (x) => tf.min(x, -1)], ['Prod', (x) => tf.prod(x, -1)],
];
for (const [k, f] of reductions) test(`NaN: ${k}`, () => check(k, [[6, 11]], f, k));

test('NaN: Softmax (a row with NaN, a row with +inf, a row of only -inf)', async () => {
  const x = rand([5, 4], -3, 3);
  x.data[1] = NaN; x.data[6] = Infinity; x.data.fill(-Infinity, 8, 12); x.data[13] = -Infinity;
  resetKernelStats();
  const got = await runOn('onednn', [x], (t) => tf.softmax(t));
  assert.ok((kernelStats().native.Softmax ?? 0) > 0, 'Softmax did not run natively');
  const want = await runOn('cpu', [x], (t) => tf.softmax(t));
  assertSameWithNaN(got[0].data, want[0].data, 'softmax');
  // Rows 0-2 are NaN throughout, row 3 (one -inf) and row 4 are finite.
  assert.ok(got[0].data.slice(0, 12).every(Number.isNaN));
  assert.ok(got[0].data.slice(12).every(Number.isFinite));
});

test('NaN: MaxPool, AvgPool', async () => {
  // tfjs-cpu's max pool keeps the largest value that compares greater, so it skips NaN.
  await check('maxPool', [[2, 6, 6, 3]], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'), 'MaxPool', false);
  await check('avgPool', [[2, 6, 6, 3]], (x) => tf.avgPool(x as tf.Tensor4D, 3, 1, 'same'), 'AvgPool');
});

test('NaN: Conv2D and BatchMatMul', async () => {
  await check('conv2d', [[1, 5, 5, 2], [3, 3, 2, 4]],
    (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), 'Conv2D');
  await check('matMul', [[3, 8], [8, 5]], (a, b) => tf.matMul(a, b), 'BatchMatMul');
});

for (const activation of ['relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid', 'linear'] as const) {
  test(`NaN: FusedConv2D and _FusedMatMul with bias and ${activation}`, async () => {
    await check(`fused conv2d ${activation}`, [[1, 5, 5, 2], [3, 3, 2, 4], [4]],
      (x, w, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation, leakyreluAlpha: 0.2 }),
      'FusedConv2D');
    await check(`fused matMul ${activation}`, [[3, 8], [8, 5], [5]],
      (a, b, bias) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation, leakyreluAlpha: 0.2 }), '_FusedMatMul');
  });
}

test('NaN: the training-time fused conv and matMul (while gradients are recorded)', async () => {
  const inputs = [poisoned([1, 5, 5, 2]), poisoned([3, 3, 2, 4]), poisoned([4]), poisoned([100, 3]), poisoned([3])];
  const fn = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor): tf.Tensor[] => {
    const f = (xx: tf.Tensor) => {
      const y = tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: 'relu' });
      return tf.fused.matMul({ a: tf.reshape(y, [1, 100]), b: w2 as tf.Tensor2D, bias: b2, activation: 'relu' });
    };
    const { value, grad } = tf.valueAndGrad(f)(x);
    return [value, grad];
  };
  resetKernelStats();
  const got = await runOn('onednn', inputs, fn as (...ts: tf.Tensor[]) => tf.Tensor[]);
  const st = kernelStats().native;
  // The training-time kernels count as FusedConv2D / _FusedMatMul; OneDnnReluGrad only runs on their path.
  assert.ok((st.FusedConv2D ?? 0) > 0 && (st._FusedMatMul ?? 0) > 0 && (st.OneDnnReluGrad ?? 0) > 0,
    `training-time kernels did not run: ${JSON.stringify(st)}`);
  const want = await runOn('cpu', inputs, fn as (...ts: tf.Tensor[]) => tf.Tensor[]);
  assertSameWithNaN(got[0].data, want[0].data, 'value');
  assertSameWithNaN(got[1].data, want[1].data, 'gradient');
});
