import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rand, relErr, tf } from './helpers.js';
import { OneDnnAdam } from '../src/index.js';

async function adamRun(backendName: string, makeOpt: () => tf.Optimizer, keepClone: boolean):
  Promise<{ w: Float32Array; b: Float32Array; clone?: Float32Array; opt: tf.Optimizer }> {
  await tf.setBackend(backendName);
  const wData = rand([37, 11], -1, 1, 7), bData = rand([11], -1, 1, 8), xData = rand([5, 37], -1, 1, 9);
  const w = tf.variable(tf.tensor(wData.data, wData.shape));
  const b = tf.variable(tf.tensor(bData.data, bData.shape));
  const x = tf.tensor(xData.data, xData.shape);
  const clone = keepClone ? tf.clone(w) : undefined; // shares w's buffer
  const opt = makeOpt();
  for (let i = 0; i < 6; i++) {
    opt.minimize(() => tf.sum(tf.square(tf.add(tf.matMul(x, w), b))) as tf.Scalar);
  }
  const out = { w: w.dataSync() as Float32Array, b: b.dataSync() as Float32Array,
    clone: clone?.dataSync() as Float32Array | undefined, opt };
  w.dispose(); b.dispose(); x.dispose(); clone?.dispose();
  return out;
}

describe('OneDnnAdam', () => {
  for (const keepClone of [false, true]) {
    it(`matches tf.train.adam (${keepClone ? 'shared buffer: copy path' : 'in-place path'})`, async () => {
      const ref = await adamRun('cpu', () => tf.train.adam(0.01, 0.8, 0.95, 1e-6), keepClone);
      const got = await adamRun('onednn', () => new OneDnnAdam(0.01, 0.8, 0.95, 1e-6), keepClone);
      assert.equal((got.opt as OneDnnAdam).nativeSteps, 6);
      assert.ok(relErr(got.w, ref.w) < 1e-5, `w error ${relErr(got.w, ref.w)}`);
      assert.ok(relErr(got.b, ref.b) < 1e-5, `b error ${relErr(got.b, ref.b)}`);
      if (keepClone) {
        // The clone must still hold the initial values (not updated in place).
        assert.ok(relErr(got.clone!, rand([37, 11], -1, 1, 7).data) === 0);
      }
      const [wRef, wGot] = [await ref.opt.getWeights(), await got.opt.getWeights()];
      // Same state layout (variable names are auto-numbered, so compare suffixes).
      const suffix = (n: string) => n.replace(/^.*\//, '');
      assert.deepEqual(wGot.map((v) => suffix(v.name)), wRef.map((v) => suffix(v.name)));
      for (let i = 1; i < wRef.length; i++) {
        assert.ok(relErr(wGot[i].tensor.dataSync() as Float32Array, wRef[i].tensor.dataSync() as Float32Array) < 1e-5);
      }
      ref.opt.dispose(); got.opt.dispose();
    });
  }
  it('defers to AdamOptimizer on other backends', async () => {
    const got = await adamRun('cpu', () => new OneDnnAdam(0.01), false);
    assert.equal((got.opt as OneDnnAdam).nativeSteps, 0);
    got.opt.dispose();
  });
});

describe('native dropout', () => {
  it('keeps ~(1-rate) of the values, scaled by 1/(1-rate), and has the right gradient', async () => {
    await tf.setBackend('onednn');
    const n = 200_000, rate = 0.3;
    const x = tf.ones([n]);
    const y = tf.dropout(x, rate) as tf.Tensor;
    // tfjs-layers calls dropout through tfjs-core's CommonJS exports (patched);
    // the ESM namespace keeps tfjs's own function, so go through the CJS one.
    const { createRequire } = await import('node:module');
    const tfc = createRequire(import.meta.url)('@tensorflow/tfjs-core') as typeof tf;
    const yd = tfc.dropout(x, rate).dataSync();
    let kept = 0;
    for (const v of yd) {
      if (v !== 0) {
        kept++;
        assert.ok(Math.abs(v - 1 / (1 - rate)) < 1e-6);
      }
    }
    // 5 sigma of a binomial(n, 0.7).
    const sigma = Math.sqrt(n * rate * (1 - rate));
    assert.ok(Math.abs(kept - n * (1 - rate)) < 5 * sigma, `kept ${kept}`);
    // Two unseeded calls differ; two calls with the same seed agree.
    const a = tfc.dropout(x, rate).dataSync(), b = tfc.dropout(x, rate).dataSync();
    assert.ok(a.some((v, i) => v !== b[i]));
    const s1 = tfc.dropout(x, rate, undefined, 42).dataSync(), s2 = tfc.dropout(x, rate, undefined, 42).dataSync();
    assert.deepEqual(s1, s2);
    // d/dx sum(dropout(x)) is the mask itself.
    const g = tf.grad((t: tf.Tensor) => tf.sum(tfc.dropout(t, rate, undefined, 42)))(x).dataSync();
    assert.deepEqual(g, s1);
    // tfjs's own dropout passes every check above: the native one is recognised by its kernels,
    // one Multiply by the native mask instead of tfjs's RandomUniform, Add, Floor, Div and Multiply.
    const profile = await tf.profile(() => tfc.dropout(x, rate, undefined, 42));
    assert.deepEqual(profile.kernelNames, ['Multiply'], `kernels run: ${profile.kernelNames}`);
    tf.dispose(profile.result as tf.Tensor);
    tf.dispose([x, y]);
  });
});
