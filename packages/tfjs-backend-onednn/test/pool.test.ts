import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertSame, rand, runOn, tf } from './helpers.js';
import { kernelStats } from '../src/index.js';

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

// tfjs-layers calls maxPool through tfjs-core's CommonJS exports, which
// patches/max_pool.ts replaces: while gradients are recorded the forward also
// returns oneDNN's workspace (OneDnnMaxPoolTraining) and the gradient uses it
// (OneDnnMaxPoolGradWs) instead of re-running the forward in MaxPoolGrad.
// ESM importers (tf.maxPool above) keep tfjs's op and its MaxPoolGrad path.
const tfc = createRequire(import.meta.url)('@tensorflow/tfjs-core') as typeof tf;

describe('training-time max pool (patch of maxPool)', () => {
  it('is installed on the CommonJS exports', () => {
    assert.equal(tfc.maxPool.name, 'maxPoolTrain');
  });
  for (const c of cases) {
    it(`gradient from the kept workspace ${name(c)}`, async () => {
      const x = rand([c.n, c.h, c.w, c.c]);
      // The pooled value is used twice (two dys accumulate) and x is also used
      // directly, so the gradient flows along three paths.
      await assertSame([x], (xt) => tf.grads((a: tf.Tensor) => {
        const y = tfc.maxPool(a as tf.Tensor4D, c.k, c.s, c.pad);
        return tf.add(tf.add(tf.sum(tf.square(y)), tf.sum(tf.mul(y, 0.5))), tf.sum(tf.mul(a, 0.25)));
      })([xt]), ['OneDnnMaxPoolTraining', 'OneDnnMaxPoolGradWs'], 1e-4, name(c));
      const stats = kernelStats();
      assert.equal(stats.native.MaxPoolGrad ?? 0, 0, 'no forward re-run');
      assert.equal(stats.native.MaxPool ?? 0, 0);
    });
  }
  it('relu values with ties: same gradient as the MaxPoolGrad path', async () => {
    // Many equal (zero) values per window, as after a relu.
    const x = rand([2, 12, 12, 4], -1, 0.3);
    const f = (mp: typeof tf.maxPool) => (xt: tf.Tensor) => tf.grads((a: tf.Tensor) =>
      tf.sum(tf.square(mp(tf.relu(a) as tf.Tensor4D, 2, 2, 'valid'))))([xt]);
    const viaWs = await runOn('onednn', [x], f(tfc.maxPool));
    const viaRecompute = await runOn('onednn', [x], f(tf.maxPool));
    assert.deepEqual(viaWs[0].data, viaRecompute[0].data);
    await assertSame([x], f(tfc.maxPool), ['OneDnnMaxPoolTraining', 'OneDnnMaxPoolGradWs'], 1e-4);
  });
  it('inference (no gradient recorded) runs the plain MaxPool kernel', async () => {
    const x = rand([2, 10, 10, 3]);
    await assertSame([x], (xt) => tfc.maxPool(xt as tf.Tensor4D, 2, 2, 'valid'), ['MaxPool'], 1e-4);
    assert.equal(kernelStats().native.OneDnnMaxPoolTraining ?? 0, 0);
  });
  it('the workspace lives as long as the tape and is then freed', async () => {
    await tf.setBackend('onednn');
    const x = tf.tensor(rand([2, 8, 8, 3]).data, [2, 8, 8, 3]);
    const before = tf.memory().numTensors;
    const g = tf.grad((a: tf.Tensor) => tf.sum(tfc.maxPool(a as tf.Tensor4D, 2, 2, 'same')))(x);
    assert.equal(tf.memory().numTensors, before + 1);
    g.dispose();
    // Recorded but never differentiated (a model's input layer): nothing leaks either.
    const v = tf.variable(tf.ones([1, 4, 4, 1]));
    const n0 = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(tfc.maxPool(x as tf.Tensor4D, 2, 2, 'valid'),
      tf.sum(v))) as tf.Scalar, [v]);
    assert.equal(tf.memory().numTensors, n0 + 2);
    tf.dispose([value, grads[v.name], v, x]);
  });
  it('falls back to tfjs for rank 3, dimRoundingMode and other backends, and still agrees', async () => {
    const x3 = rand([9, 9, 2]);
    await assertSame([x3], (xt) => tf.grads((a: tf.Tensor) =>
      tf.sum(tf.square(tfc.maxPool(a as tf.Tensor3D, 3, 2, 'same'))))([xt]), ['MaxPoolGrad'], 1e-4, 'rank 3');
    assert.equal(kernelStats().native.OneDnnMaxPoolTraining ?? 0, 0);
    const x = rand([1, 9, 9, 2]);
    await assertSame([x], (xt) => tf.grads((a: tf.Tensor) =>
      tf.sum(tf.square(tfc.maxPool(a as tf.Tensor4D, 3, 2, 1, 'floor'))))([xt]), [], 1e-4, 'dimRoundingMode');
    assert.equal(kernelStats().native.OneDnnMaxPoolTraining ?? 0, 0);
  });
  it('MaxPooling2D layers train through it', async () => {
    const x = rand([3, 8, 8, 2]);
    await assertSame([x], (xt) => {
      const layer = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 });
      return tf.grads((a: tf.Tensor) => tf.sum(tf.square(layer.apply(a) as tf.Tensor)))([xt]);
    }, ['OneDnnMaxPoolTraining', 'OneDnnMaxPoolGradWs'], 1e-4);
  });
});

describe('a max pool after a fused conv + relu takes over the relu gradient', () => {
  // Records the element counts of the native ReLU-gradient passes (binary op 7).
  async function reluGradSizes(fn: () => Promise<unknown>): Promise<number[]> {
    const { addon } = await import('../src/native.js');
    const a = addon as unknown as { binary: (...args: unknown[]) => void };
    const inner = a.binary;
    const sizes: number[] = [];
    a.binary = (op: unknown, x: unknown, ...rest: unknown[]) => {
      if (op === 7) sizes.push((x as Float32Array).length);
      inner(op, x, ...rest);
    };
    try {
      await fn();
    } finally {
      a.binary = inner;
    }
    return sizes;
  }
  const convPool = (xt: tf.Tensor, wt: tf.Tensor, bt: tf.Tensor, extra: boolean) =>
    tf.grads((a: tf.Tensor, f: tf.Tensor, b: tf.Tensor) => {
      const y = tf.fused.conv2d({ x: a as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'valid',
        bias: b, activation: 'relu' });
      const p = tf.sum(tf.square(tfc.maxPool(y, 2, 2, 'valid')));
      // extra: y also feeds the loss directly, so its gradient is a sum of two.
      return extra ? tf.add(p, tf.sum(tf.mul(y, 0.5))) : p;
    })([xt, wt, bt]);

  for (const extra of [false, true]) {
    it(`same gradients as tfjs-cpu and as without the link${extra ? ' (conv output used twice)' : ''}`, async () => {
      const { setPoolReluLink } = await import('../src/index.js');
      const x = rand([2, 11, 10, 3], -1, 1), w = rand([3, 3, 3, 16]), b = rand([16], -0.5, 0.5);
      await assertSame([x, w, b], (xt, wt, bt) => convPool(xt, wt, bt, extra), ['OneDnnMaxPoolGradWs'], 1e-4);
      const run = () => runOn('onednn', [x, w, b], (xt, wt, bt) => convPool(xt, wt, bt, extra));
      let linked: Awaited<ReturnType<typeof run>> = [];
      const sizesOn = await reluGradSizes(async () => { linked = await run(); });
      setPoolReluLink(false);
      let plain: Awaited<ReturnType<typeof run>> = [];
      try {
        const sizesOff = await reluGradSizes(async () => { plain = await run(); });
        // conv output 2x9x8x16 = 2304, pool output 2x4x4x16 = 512
        assert.deepEqual(sizesOff, [2304]);
        assert.deepEqual(sizesOn, extra ? [512, 2304] : [512], 'the pool masked its gradient; the conv skipped its pass');
      } finally {
        setPoolReluLink(true);
      }
      assert.deepEqual(linked, plain, 'bitwise the same gradients');
    });
  }
});
