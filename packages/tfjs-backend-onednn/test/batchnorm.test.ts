import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertSame, rand, tf } from './helpers.js';
import { kernelStats } from '../src/index.js';

type BN = (x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s?: tf.Tensor, o?: tf.Tensor) => tf.Tensor;
// tf.batchNorm's argument order is (x, mean, variance, offset, scale, eps).
const bn = (eps: number): BN => (x, m, v, s, o) =>
  tf.batchNorm(x, m, v, o as tf.Tensor1D | undefined, s as tf.Tensor1D | undefined, eps);

// x shape, parameter shape; odd channel counts, rank 2 and 4, one case > 2^15 elements (threaded).
const shapes: [number[], number[]][] = [
  [[7, 5], [5]], [[1, 3], [3]], [[33, 513], [513]],
  [[2, 9, 11, 7], [7]], [[1, 5, 3, 1], [1]], [[3, 37, 41, 5], [5]], [[2, 6, 7, 3], [1, 1, 1, 3]],
];

describe('FusedBatchNorm vs tfjs-cpu', () => {
  for (const [xs, ps] of shapes) {
    for (const [withScale, withOffset] of [[true, true], [false, false], [true, false], [false, true]]) {
      it(`x ${JSON.stringify(xs)} params ${JSON.stringify(ps)} scale=${withScale} offset=${withOffset}`, async () => {
        const inputs = [rand(xs, -3, 3), rand(ps, -1, 1), rand(ps, 0.05, 2),
          ...(withScale ? [rand(ps, 0.5, 2)] : []), ...(withOffset ? [rand(ps, -1, 1)] : [])];
        await assertSame(inputs, (x, m, v, ...rest) => {
          const s = withScale ? rest[0] : undefined;
          const o = withOffset ? rest[withScale ? 1 : 0] : undefined;
          return bn(1e-3)(x, m, v, s, o);
        }, ['FusedBatchNorm'], 1e-4, 'batchNorm');
      });
    }
  }

  it('scalar-length parameters and a tiny epsilon', async () => {
    await assertSame([rand([4, 6, 5, 9]), rand([1], -1, 1), rand([1], 0.5, 1), rand([9]), rand([1])],
      (x, m, v, s, o) => bn(1e-9)(x, m, v, s, o), ['FusedBatchNorm'], 1e-4, 'scalar params');
  });

  it('parameters that are neither per-channel nor scalar fall back to the cpu kernel and agree', async () => {
    // [1,1,W,C] parameters: tfjs-cpu cycles them over the flat index.
    await assertSame([rand([2, 3, 4, 5]), rand([4, 5]), rand([4, 5], 0.1, 2), rand([4, 5]), rand([4, 5])],
      (x, m, v, s, o) => bn(1e-3)(x, m, v, s, o), [], 1e-4, 'fallback');
    assert.ok((kernelStats().fallback['FusedBatchNorm'] ?? 0) >= 1);
    assert.equal(kernelStats().native['FusedBatchNorm'] ?? 0, 0);
  });

  // With scale and offset: tf.grads through tf.batchNorm without them throws in tfjs 4.22 on
  // every backend (tfjs-cpu too: the tape meets the absent inputs).
  for (const xs of [[6, 11], [3, 7, 5, 9], [2, 5, 4, 1]]) {
    it(`gradients through tf.grads, x ${JSON.stringify(xs)}`, async () => {
      const C = xs[xs.length - 1];
      const inputs = [rand(xs, -2, 2), rand([C]), rand([C], 0.1, 2), rand([C], 0.5, 2), rand([C]), rand(xs)];
      await assertSame(inputs, (x, m, v, s, o, w) => {
        const f = (xx: tf.Tensor, mm: tf.Tensor, vv: tf.Tensor, ss: tf.Tensor, oo: tf.Tensor) =>
          tf.sum(tf.mul(bn(1e-3)(xx, mm, vv, ss, oo), w));
        return tf.grads(f)([x, m, v, s, o]);
      }, ['FusedBatchNorm', 'Tile'], 1e-4, 'grads');
    });
  }

  it('training-style batch norm (moments of the batch) gives the same gradients', async () => {
    const inputs = [rand([4, 9, 7, 5], -2, 2), rand([5], 0.5, 2), rand([5]), rand([4, 9, 7, 5])];
    await assertSame(inputs, (x, s, o, w) => {
      const f = (xx: tf.Tensor, ss: tf.Tensor, oo: tf.Tensor) => {
        const { mean, variance } = tf.moments(xx, [0, 1, 2]);
        return tf.sum(tf.mul(bn(1e-3)(xx, mean, variance, ss, oo), w));
      };
      return tf.grads(f)([x, s, o]);
    }, ['FusedBatchNorm', 'Tile'], 1e-4, 'moments grads');
  });
});

describe('Tile vs tfjs-cpu', () => {
  const cases: [number[], number[]][] = [
    [[7], [3]], [[3, 1, 5], [2, 4, 3]], [[1, 1, 1, 5], [3, 37, 41, 1]], [[2, 3], [1, 1]], [[2, 1, 3, 1], [1, 5, 2, 7]],
  ];
  for (const [xs, reps] of cases) {
    it(`x ${JSON.stringify(xs)} reps ${JSON.stringify(reps)}`, async () => {
      await assertSame([rand(xs)], (x) => tf.tile(x, reps), ['Tile'], 1e-7, 'tile');
    });
  }

  it('int32 falls back and agrees', async () => {
    const ints = { shape: [2, 3], data: Int32Array.from([1, -2, 3, -4, 5, 0]), dtype: 'int32' as const };
    await assertSame([ints], (x) => tf.tile(x, [3, 2]), [], 1e-12, 'tile int32');
    assert.ok((kernelStats().fallback['Tile'] ?? 0) >= 1);
  });
});
