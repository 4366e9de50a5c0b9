import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertSame, rand, runOn, tf } from './helpers.js';
import { kernelStats } from '../src/index.js';

const big = [3, 37, 41, 5]; // > 2^15 elements: exercises the threaded path too

describe('elementwise and reductions vs tfjs-cpu', () => {
  const unary: [string, (x: tf.Tensor) => tf.Tensor, number, number][] = [
    ['Relu', tf.relu, -1, 1], ['Square', tf.square, -2, 2], ['Sqrt', tf.sqrt, 0, 4],
    ['Step', (x) => tf.step(x, 0.5), -1, 1], ['Exp', tf.exp, -3, 3], ['Log', tf.log, 0.01, 5],
    ['Abs', tf.abs, -1, 1], ['Neg', tf.neg, -1, 1], ['Rsqrt', tf.rsqrt, 0.1, 3],
    ['Relu6', tf.relu6, -3, 9], ['Sigmoid', tf.sigmoid, -6, 6],
  ];
  for (const [k, f, lo, hi] of unary) {
    for (const shape of [[7], big]) {
      it(`${k} ${shape}`, async () => {
        await assertSame([rand(shape, lo, hi)], (x) => f(x), [k], 1e-4, k);
      });
    }
  }

  const binary: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['Add', tf.add], ['Sub', tf.sub], ['Multiply', tf.mul], ['RealDiv', tf.div],
    ['Maximum', tf.maximum], ['Minimum', tf.minimum], ['SquaredDifference', tf.squaredDifference],
  ];
  const pairs: [number[], number[]][] = [
    [big, big], [big, [5]], [[5], big], [big, []], [[], big], [[2, 3, 4], [1, 3, 4]], [[9, 1, 1, 5], [5]],
    [[512, 10], [512, 1]], [[512, 1], [512, 10]], [[3, 37, 41, 5], [3, 37, 1, 1]], [[3, 1, 1, 1], big],
    // Middle axes (the gradient of a mean over tokens: [B, 1, C] against [B, T, C]).
    [[4, 6, 3], [4, 1, 3]], [[4, 1, 3], [4, 6, 3]], [[2, 3, 4, 5], [2, 1, 1, 5]], [[32, 49, 64], [32, 1, 64]],
  ];
  for (const [k, f] of binary) {
    for (const [sa, sb] of pairs) {
      it(`${k} ${JSON.stringify(sa)} with ${JSON.stringify(sb)}`, async () => {
        await assertSame([rand(sa, 0.5, 2), rand(sb, 0.5, 2)], (a, b) => f(a, b), [k], 1e-4, k);
      });
    }
  }

  it('broadcasts of both operands or over two runs of axes, and int32 inputs, fall back and agree', async () => {
    // assertSame resets the counters, so each check reads them right after.
    await assertSame([rand([4, 1, 3]), rand([1, 5, 3])], (a, b) => tf.add(a, b), [], 1e-4);
    assert.ok((kernelStats().fallback['Add'] ?? 0) >= 1);
    await assertSame([rand([4, 6, 3, 5]), rand([4, 1, 3, 1])], (a, b) => tf.mul(a, b), [], 1e-4);
    assert.ok((kernelStats().fallback['Multiply'] ?? 0) >= 1);
    const ints = { shape: [6], data: Int32Array.from([1, -2, 3, -4, 5, 0]), dtype: 'int32' as const };
    await assertSame([ints, ints], (a, b) => tf.add(a, b), [], 1e-12);
    assert.ok((kernelStats().fallback['Add'] ?? 0) >= 1);
  });

  const reductions: [string, (x: tf.Tensor, axis: number[], keep: boolean) => tf.Tensor][] = [
    ['Sum', tf.sum], ['Mean', tf.mean], ['Max', tf.max], ['Min', tf.min], ['Prod', tf.prod],
  ];
  const axesCases: number[][] = [[0], [3], [0, 1, 2], [1, 2], [1], [0, 1, 2, 3]];
  for (const [k, f] of reductions) {
    for (const axes of axesCases) {
      for (const keep of [false, true]) {
        it(`${k} axes ${axes} keepDims=${keep}`, async () => {
          // Prod over many elements under/overflows; keep its values near 1.
          const x = k === 'Prod' ? rand([2, 5, 3, 4], 0.9, 1.1) : rand(big);
          await assertSame([x], (t) => f(t, axes, keep), [k], 1e-4, `${k} ${axes}`);
        });
      }
    }
  }
  it('non-contiguous axes fall back and agree', async () => {
    await assertSame([rand([3, 4, 5, 6])], (t) => tf.sum(t, [0, 2]), [], 1e-4);
    assert.equal(kernelStats().fallback['Sum'], 1, 'the Sum went to tfjs-cpu');
    assert.equal(kernelStats().native['Sum'] ?? 0, 0);
  });

  for (const shape of [[1, 10], [64, 10], [3, 5, 43]]) {
    it(`Softmax ${shape} + gradient`, async () => {
      await assertSame([rand(shape, -5, 5)], (x) => tf.softmax(x), ['Softmax'], 1e-4);
      await assertSame([rand(shape, -5, 5)], (x) => tf.grads((a: tf.Tensor) =>
        tf.sum(tf.mul(tf.softmax(a), tf.range(0, shape[shape.length - 1]))))([x]), ['Softmax'], 1e-4);
    });
  }

  it('a native error surfaces as a JS exception with the oneDNN status', async () => {
    const { addon } = await import('../src/native.js');
    assert.ok(addon);
    const x = new Float32Array(1 * 5 * 5 * 2), w = new Float32Array(3 * 3 * 2 * 4), y = new Float32Array(1 * 9 * 9 * 4);
    // Inconsistent output size (9x9 from a 5x5 valid conv): oneDNN rejects it.
    assert.throws(() => addon.conv2dForward(x, [1, 5, 5, 2], w, [3, 3, 2, 4], null, y, [1, 9, 9, 4], [1, 1], [1, 1],
      [0, 0], [0, 0], 0, 0), (e: Error & { statusName?: string }) =>
      /oneDNN error/.test(e.message) && e.statusName === 'dnnl_invalid_arguments');
    assert.throws(() => addon.binary(0, x, w, y), /bad broadcast/);
    assert.throws(() => addon.unary(0, x, 3 as unknown as Float32Array, 0), /Float32Array/);
    await runOn('onednn', [], () => tf.scalar(1)); // backend still usable
  });
});
