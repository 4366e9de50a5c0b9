import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertSame, rand, tf } from './helpers.js';
import { kernelStats } from '../src/index.js';

describe('matmul vs tfjs-cpu', () => {
  const shapes: [number[], number[], boolean, boolean][] = [
    [[1, 1], [1, 1], false, false],
    [[7, 13], [13, 5], false, false],
    [[13, 7], [13, 5], true, false],
    [[7, 13], [5, 13], false, true],
    [[13, 7], [5, 13], true, true],
    [[3, 7, 9], [3, 9, 4], false, false],
    [[2, 3, 7, 9], [9, 4], false, false],
    [[1, 9, 7], [5, 4, 9], true, true],
    [[64, 400], [400, 100], false, false],
  ];
  for (const [sa, sb, ta, tb] of shapes) {
    const label = `${sa}x${sb} tA=${ta} tB=${tb}`;
    it(`batchMatMul ${label} + gradients`, async () => {
      const a = rand(sa), b = rand(sb);
      await assertSame([a, b], (at, bt) => tf.matMul(at, bt, ta, tb), ['BatchMatMul'], 1e-4, label);
      // tfjs's BatchMatMul gradient does not reduce broadcast batch dims (it
      // throws on every backend), so gradients are checked for equal batches only.
      if (sa.length !== sb.length || sa[0] !== sb[0]) return;
      await assertSame([a, b], (at, bt) => tf.grads((p: tf.Tensor, q: tf.Tensor) =>
        tf.sum(tf.square(tf.matMul(p, q, ta, tb))))([at, bt]), ['BatchMatMul'], 1e-4, label);
    });
  }
  for (const act of ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid'] as const) {
    it(`fused matMul bias + ${act}`, async () => {
      const a = rand([9, 17]), b = rand([17, 11]), bias = rand([11]);
      await assertSame([a, b, bias], (at, bt, ct) => tf.fused.matMul({ a: at, b: bt, bias: ct, activation: act,
        leakyreluAlpha: 0.25 }), ['_FusedMatMul'], 1e-4, act);
    });
  }
  it('fused matMul gradients (transposeB, bias, linear)', async () => {
    const a = rand([6, 10]), b = rand([4, 10]), bias = rand([4]);
    await assertSame([a, b, bias], (at, bt, ct) => tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
      tf.sum(tf.square(tf.fused.matMul({ a: p, b: q, bias: r, transposeB: true }))))([at, bt, ct]),
    ['_FusedMatMul', 'BatchMatMul', 'Sum'], 1e-4);
  });
  it('a 2-D bias and prelu fall back to the cpu kernel and agree', async () => {
    const a = rand([5, 6]), b = rand([6, 3]), bias = rand([5, 3]), alpha = rand([3]);
    await assertSame([a, b, bias, alpha], (at, bt, ct, dt) => tf.fused.matMul({ a: at, b: bt, bias: ct,
      activation: 'prelu', preluActivationWeights: dt }), [], 1e-4);
    assert.equal(kernelStats().fallback._FusedMatMul, 1, 'prelu went to tfjs-cpu');
    await assertSame([a, b, bias], (at, bt, ct) => tf.fused.matMul({ a: at, b: bt, bias: ct }), [], 1e-4);
    assert.equal(kernelStats().fallback._FusedMatMul, 1, 'the 2-D bias went to tfjs-cpu');
    assert.equal(kernelStats().native._FusedMatMul ?? 0, 0);
  });
});

// While recording gradients tfjs itself only fuses linear activations; on
// onednn, patches/fused_mat_mul.ts routes relu and linear through
// OneDnnFusedMatMul (one oneDNN matmul with bias + relu post-ops; counted as
// _FusedMatMul) and its gradient (ReluGrad + lazy BatchMatMuls + bias Sum).
// Compared against tfjs-cpu's unfused graph.
describe('training-time fused matMul (patch of fused.matMul)', () => {
  it('is installed on tfjs-core\'s fused namespace', () => {
    assert.equal(tf.fused.matMul.name, 'fusedMatMulTrain');
  });
  const shapes: [number[], number[], boolean, boolean][] = [
    [[7, 13], [13, 5], false, false],
    [[13, 7], [13, 5], true, false],
    [[7, 13], [5, 13], false, true],
    [[13, 7], [5, 13], true, true],
    [[3, 7, 9], [3, 9, 4], false, false],
    [[2, 3, 9, 7], [2, 3, 4, 9], true, true],
    [[64, 300], [300, 150], false, false],
  ];
  for (const [sa, sb, ta, tb] of shapes) {
    const n = tb ? sb[sb.length - 2] : sb[sb.length - 1];
    for (const act of ['relu', 'linear'] as const) for (const withBias of [true, false]) {
      const label = `${sa}x${sb} tA=${ta} tB=${tb} ${act}${withBias ? ' + bias' : ''}`;
      it(`gradients of every input ${label}`, async () => {
        // Inputs around 0 so that relu cuts about half of the outputs.
        const a = rand(sa), b = rand(sb), bias = rand([n], -0.5, 0.5);
        const expect = ['_FusedMatMul', 'BatchMatMul', ...(act === 'relu' ? ['OneDnnReluGrad'] : []),
          ...(withBias ? ['Sum'] : [])];
        await assertSame(withBias ? [a, b, bias] : [a, b], (...ts) => tf.grads((...v: tf.Tensor[]) =>
          tf.sum(tf.square(tf.fused.matMul({ a: v[0], b: v[1], bias: v[2], transposeA: ta, transposeB: tb,
            activation: act }))))(ts), expect, 1e-4, label);
        // Forward values too (the gradient above only sees them through dy).
        await assertSame(withBias ? [a, b, bias] : [a, b], (...ts) => tf.grad((v: tf.Tensor) => tf.sum(
          tf.fused.matMul({ a: v, b: ts[1], bias: ts[2], transposeA: ta, transposeB: tb, activation: act })))(ts[0]),
        ['_FusedMatMul'], 1e-4, label);
      });
    }
  }
  it('computes only the gradients that are asked for', async () => {
    const a = rand([6, 10]), b = rand([10, 4]), bias = rand([4]);
    const fn = (at: tf.Tensor, bt: tf.Tensor, ct: tf.Tensor) => tf.grad((q: tf.Tensor) =>
      tf.sum(tf.square(tf.fused.matMul({ a: at, b: q, bias: ct, activation: 'relu' }))))(bt);
    await assertSame([a, b, bias], fn, ['_FusedMatMul', 'OneDnnReluGrad'], 1e-4);
    assert.equal(kernelStats().native.BatchMatMul, 1, 'dB only: one BatchMatMul');
    assert.equal(kernelStats().native.Sum, 1, 'the loss\'s Sum only: no bias gradient');
  });
  it('a [1, N] bias (any rank, N values) gets a gradient of its own shape', async () => {
    const a = rand([2, 5, 6]), b = rand([2, 6, 3]), bias = rand([1, 1, 3]);
    await assertSame([a, b, bias], (at, bt, ct) => tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
      tf.sum(tf.square(tf.fused.matMul({ a: p, b: q, bias: r, activation: 'relu' }))))([at, bt, ct]),
    ['_FusedMatMul', 'OneDnnReluGrad'], 1e-4);
  });
  it('falls back to tfjs for other activations, a 2-D bias, broadcast batches and inference, and agrees', async () => {
    const a = rand([5, 6]), b = rand([6, 3]), bias = rand([3]), bias2 = rand([5, 3]);
    for (const act of ['sigmoid', 'elu', 'relu6', 'leakyrelu'] as const) {
      await assertSame([a, b, bias], (at, bt, ct) => tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.matMul({ a: p, b: q, bias: r, activation: act }))))([at, bt, ct]),
      ['BatchMatMul'], 1e-4, act);
      assert.equal(kernelStats().native._FusedMatMul ?? 0, 0, `${act} is not fused while training`);
    }
    await assertSame([a, b, bias2], (at, bt, ct) => tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
      tf.sum(tf.square(tf.fused.matMul({ a: p, b: q, bias: r, activation: 'relu' }))))([at, bt, ct]),
    ['BatchMatMul'], 1e-4, '2-D bias');
    assert.equal(kernelStats().native.OneDnnReluGrad ?? 0, 0, '2-D bias goes to tfjs');
    // Broadcast batch dims: forward only (tfjs's gradient does not reduce them on any backend).
    const a3 = rand([2, 3, 5, 6]);
    await assertSame([a3, b, bias], (at, bt, ct) => tf.grad((r: tf.Tensor) =>
      tf.sum(tf.square(tf.fused.matMul({ a: at, b: bt, bias: r, activation: 'relu' }))))(ct), [], 1e-4, 'broadcast');
    await assertSame([a, b, bias], (at, bt, ct) => tf.fused.matMul({ a: at, b: bt, bias: ct, activation: 'relu' }),
      ['_FusedMatMul'], 1e-4, 'inference');
  });
  it('Dense layers (relu and linear) train through it', async () => {
    const x = rand([8, 12]), w1 = rand([12, 9]), b1 = rand([9], -0.3, 0.3), w2 = rand([9, 4]);
    await assertSame([x, w1, b1, w2], (xt, w1t, b1t, w2t) => {
      const d1 = tfl.layers.dense({ units: 9, activation: 'relu', inputShape: [12] });
      const d2 = tfl.layers.dense({ units: 4, activation: 'softmax', useBias: false });
      d1.build([null, 12]);
      d2.build([null, 9]);
      d1.setWeights([w1t, b1t]);
      d2.setWeights([w2t]);
      const vars = [...d1.trainableWeights, ...d2.trainableWeights].map((v) => v.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() =>
        tf.sum(tf.square(d2.apply(d1.apply(xt) as tf.Tensor) as tf.Tensor)) as tf.Scalar, vars);
      const out = [value, ...vars.map((v) => grads[v.name])];
      return out;
    }, ['_FusedMatMul', 'OneDnnReluGrad', 'BatchMatMul'], 1e-4);
  });
});
