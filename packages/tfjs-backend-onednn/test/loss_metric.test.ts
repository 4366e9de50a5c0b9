// The small kernels of a tfjs-layers training step's loss and accuracy metric (clipByValue and
// its gradient's comparisons, logical and, select, zerosLike; argMax, equal, cast) against
// tfjs-cpu, and a tfjs-layers model trained with categoricalCrossentropy and the accuracy metric
// whose step runs no tfjs-cpu code.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertSame, rand, runOn, tf } from './helpers.js';
import { CPU_VIEW_KERNELS, kernelStats, OneDnnAdam, resetKernelStats } from '../src/index.js';

const ints = (shape: number[], values: number[]) => ({ shape, data: Int32Array.from(values), dtype: 'int32' as const });
// Bool results compared as numbers (assertSame compares float32 data).
const num = (t: tf.Tensor) => tf.cast(t, 'float32');

describe('comparison, logical, select and cast kernels', () => {
  const a = rand([4, 5], -1, 1), b = rand([4, 5], -1, 1);
  b.data.set(a.data.subarray(0, 6)); // some equal pairs
  a.data[7] = NaN;
  const cmp: [string, (p: tf.Tensor, q: tf.Tensor) => tf.Tensor][] = [['Equal', tf.equal], ['NotEqual', tf.notEqual],
    ['Greater', tf.greater], ['GreaterEqual', tf.greaterEqual], ['Less', tf.less], ['LessEqual', tf.lessEqual]];
  for (const [k, f] of cmp) {
    it(`${k}: float32, int32 and a scalar operand`, async () => {
      await assertSame([a, b], (p, q) => num(f(p, q)), [k, 'Cast'], 1e-9, `${k} float32`);
      await assertSame([ints([6], [1, 2, 3, -4, 5, 6]), ints([6], [1, 0, 3, 4, 5, -6])], (p, q) => num(f(p, q)), [k], 1e-9, `${k} int32`);
      await assertSame([a, { shape: [], data: Float32Array.from([0.25]) }], (p, q) => num(f(p, q)), [k], 1e-9, `${k} scalar`);
    });
  }
  it('LogicalAnd, LogicalOr and Select', async () => {
    await assertSame([a, b], (p, q) => num(tf.logicalAnd(tf.greater(p, 0), tf.less(q, 0.5))), ['LogicalAnd'], 1e-9, 'and');
    await assertSame([a, b], (p, q) => num(tf.logicalOr(tf.greater(p, 0), tf.less(q, 0.5))), ['LogicalOr'], 1e-9, 'or');
    await assertSame([a, b], (p, q) => tf.where(tf.greater(p, q), p, q), ['Select'], 1e-9, 'select');
  });
  it('ClipByValue (NaN stays NaN) and its gradient', async () => {
    await assertSame([a], (x) => [tf.clipByValue(x, -0.3, 0.4), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(t, -0.3, 0.4), t)))(x)],
      ['ClipByValue', 'GreaterEqual', 'LessEqual', 'LogicalAnd', 'Select', 'ZerosLike'], 1e-6, 'clip');
  });
  it('ArgMax over each axis, first index of ties, NaN as tfjs-cpu scans it', async () => {
    const x = rand([3, 4, 5], -1, 1);
    x.data[3] = x.data[8]; // a tie along axis 1
    x.data[20] = NaN;
    for (const axis of [0, 1, 2, -1]) {
      await assertSame([x], (t) => num(tf.argMax(t, axis)), ['ArgMax'], 1e-9, `axis ${axis}`);
    }
  });
  it('Cast: same dtype is a view, bool and int32 to float32 are copies, other casts go to tfjs-cpu', async () => {
    await assertSame([ints([4], [1, -2, 3, 0])], (t) => tf.cast(t, 'float32'), ['Cast'], 1e-9, 'int32');
    await assertSame([a], (t) => tf.add(tf.cast(t, 'float32'), 1), ['Cast'], 1e-9, 'same');
    resetKernelStats();
    const got = await runOn('onednn', [{ shape: [3], data: Float32Array.from([1.7, -2.5, 0]) }], (t) => tf.cast(t, 'int32'));
    assert.deepEqual(Array.from(got[0].data), [1, -2, 0]);
    assert.equal(kernelStats().fallback.Cast, 1);
  });
  it('ZerosLike of float32', async () => {
    await assertSame([a], (t) => tf.zerosLike(t), ['ZerosLike'], 1e-9, 'zerosLike');
  });
  it('bad native arguments are errors naming the binding', async () => {
    const { nat } = await import('../src/native.js');
    assert.throws(() => nat().compare(0, new Float32Array(3), new Int32Array(3), new Uint8Array(3)), /TypeError: onednn compare: argument 2/);
    assert.throws(() => nat().compare(99, new Float32Array(3), new Float32Array(3), new Uint8Array(3)), /RangeError: onednn compare: unknown op/);
    assert.throws(() => nat().logical(7, new Uint8Array(3), new Uint8Array(3), new Uint8Array(3)), /RangeError: onednn logical: unknown op/);
    assert.throws(() => nat().argMax(new Float32Array(6), new Int32Array(2), 2, 0, 3), /RangeError: onednn argMax: /);
  });
});

describe('a tfjs-layers training step with categoricalCrossentropy and accuracy', () => {
  it('runs no tfjs-cpu code (views only) and learns', async () => {
    await tf.setBackend('onednn');
    const N = 32, T = 6, C = 8, K = 4;
    const m = tfl.sequential();
    m.add(tfl.layers.dense({ inputShape: [T, C], units: 16, activation: 'relu' }));
    m.add(tfl.layers.dropout({ rate: 0.1 }));
    m.add(tfl.layers.globalAveragePooling1d());
    m.add(tfl.layers.dense({ units: K, activation: 'softmax' }));
    m.compile({ optimizer: new OneDnnAdam(1e-2), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const xs = rand([N, T, C], -1, 1, 9);
    const labels = Array.from({ length: N }, (_, i) => i % K);
    labels.forEach((l, i) => { for (let t = 0; t < T; t++) xs.data[(i * T + t) * C + l] += 2; });
    const x = tf.tensor(xs.data, xs.shape), y = tf.oneHot(tf.tensor1d(labels, 'int32'), K);
    const yf = tf.cast(y, 'float32');
    const first = (await m.trainOnBatch(x, yf)) as number[];
    resetKernelStats();
    let last = first;
    for (let i = 0; i < 30; i++) last = (await m.trainOnBatch(x, yf)) as number[];
    const stats = kernelStats();
    assert.deepEqual(stats.fallback, {}, `fallbacks to tfjs-cpu: ${JSON.stringify(stats.fallback)}`);
    const cpuCode = Object.keys(stats.cpu).filter((k) => !CPU_VIEW_KERNELS.includes(k));
    assert.deepEqual(cpuCode, [], `tfjs-cpu kernels in the step: ${JSON.stringify(stats.cpu)}`);
    for (const k of ['ClipByValue', 'ArgMax', 'Equal', 'Cast']) assert.ok((stats.native[k] ?? 0) >= 30, `${k}: ${JSON.stringify(stats.native)}`);
    assert.ok(last[0] < first[0] * 0.5 && last[1] > 0.9, `loss ${first[0]} -> ${last[0]}, accuracy ${last[1]}`);
    tf.dispose([x, y, yf]);
    m.dispose();
  });
});
