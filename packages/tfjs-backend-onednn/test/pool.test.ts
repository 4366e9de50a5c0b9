import { describe, it } from 'node:test';
import { assertSame, rand, tf } from './helpers.js';

interface Case { n: number; h: number; w: number; c: number; k: [number, number]; s: number;
  pad: 'same' | 'valid' }
const cases: Case[] = [
  { n: 1, h: 7, w: 7, c: 1, k: [2, 2], s: 2, pad: 'valid' },
  { n: 2, h: 9, w: 11, c: 3, k: [3, 3], s: 2, pad: 'same' },
  { n: 1, h: 13, w: 13, c: 5, k: [3, 3], s: 1, pad: 'same' },
  { n: 3, h: 26, w: 26, c: 8, k: [2, 2], s: 2, pad: 'valid' },
  { n: 2, h: 11, w: 8, c: 7, k: [3, 2], s: 2, pad: 'valid' },
  { n: 1, h: 5, w: 5, c: 3, k: [2, 2], s: 1, pad: 'same' },
];
const name = (c: Case) => `n${c.n} ${c.h}x${c.w}x${c.c} k${c.k} s${c.s} ${c.pad}`;

describe('pooling vs tfjs-cpu', () => {
  for (const c of cases) {
    it(`maxPool forward + gradient ${name(c)}`, async () => {
      const x = rand([c.n, c.h, c.w, c.c]);
      await assertSame([x], (xt) => tf.maxPool(xt as tf.Tensor4D, c.k, c.s, c.pad), ['MaxPool'], 1e-4, name(c));
      await assertSame([x], (xt) => tf.grads((a: tf.Tensor) =>
        tf.sum(tf.square(tf.maxPool(a as tf.Tensor4D, c.k, c.s, c.pad))))([xt]), ['MaxPoolGrad'], 1e-4, name(c));
    });
    it(`avgPool forward + gradient ${name(c)}`, async () => {
      const x = rand([c.n, c.h, c.w, c.c]);
      await assertSame([x], (xt) => tf.avgPool(xt as tf.Tensor4D, c.k, c.s, c.pad), ['AvgPool'], 1e-4, name(c));
      await assertSame([x], (xt) => tf.grads((a: tf.Tensor) =>
        tf.sum(tf.square(tf.avgPool(a as tf.Tensor4D, c.k, c.s, c.pad))))([xt]), ['AvgPoolGrad'], 1e-4, name(c));
    });
  }
});
