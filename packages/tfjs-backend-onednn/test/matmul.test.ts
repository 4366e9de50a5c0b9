import { describe, it } from 'node:test';
import { assertSame, rand, tf } from './helpers.js';

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
    await assertSame([a, b, bias], (at, bt, ct) => tf.fused.matMul({ a: at, b: bt, bias: ct }), [], 1e-4);
  });
});
