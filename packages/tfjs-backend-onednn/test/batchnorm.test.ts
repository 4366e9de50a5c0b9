import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertSame, rand, relErr, runOn, tf } from './helpers.js';
import {
  getNumThreads, installFusedBatchNormGrad, isFusedBatchNormGradInstalled, kernelStats, resetKernelStats,
  setNumThreads, uninstallFusedBatchNormGrad,
} from '../src/index.js';

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

  // Gradients of every input through tf.grads: tfjs's engine can only differentiate
  // tf.batchNorm when scale and offset are both given (see 'without scale or offset' below).
  // Rank 2 is Dense+BatchNorm (the op makes x [1,1,N,C]); one case has > 2^15 elements
  // (threaded, several row blocks).
  for (const xs of [[6, 11], [64, 33], [3, 7, 5, 9], [1, 5, 3, 7], [2, 5, 4, 1], [4, 19, 23, 13]]) {
    it(`native gradient of x, mean, variance, scale, offset vs tfjs-cpu, x ${JSON.stringify(xs)}`, async () => {
      const C = xs[xs.length - 1];
      const inputs = [rand(xs, -2, 2), rand([C]), rand([C], 0.1, 2), rand([C], 0.5, 2), rand([C]), rand(xs)];
      await assertSame(inputs, (x, m, v, s, o, w) => {
        const f = (xx: tf.Tensor, mm: tf.Tensor, vv: tf.Tensor, ss: tf.Tensor, oo: tf.Tensor) =>
          tf.sum(tf.mul(bn(1e-3)(xx, mm, vv, ss, oo), w));
        return tf.grads(f)([x, m, v, s, o]);
      }, ['FusedBatchNorm', 'OneDnnFusedBatchNormGrad'], 1e-4, 'grads');
      assert.equal(kernelStats().native['Tile'] ?? 0, 0, "tfjs's chain (Tile) did not run");
    });
  }

  it('without scale or offset: tfjs cannot differentiate, on either backend; the gradient function itself agrees', async () => {
    // The engine clones the saved inputs (scale among them) before any gradient function runs.
    const [x, m, v] = [rand([2, 3, 4, 5]), rand([5]), rand([5], 0.5, 1)];
    for (const b of ['cpu', 'onednn']) {
      await tf.setBackend(b);
      const ts = [x, m, v].map((i) => tf.tensor(i.data, i.shape));
      assert.throws(() => tf.grads((xx: tf.Tensor) => tf.sum(tf.batchNorm(xx, ts[1], ts[2])))([ts[0]]));
      tf.dispose(ts);
    }
    // The registered gradient function called directly with scale absent: tfjs-core's formula
    // on cpu (it substitutes 1), the native one on onednn.
    const inputs = [rand([3, 6, 5, 7], -2, 2), rand([7]), rand([7], 0.1, 2), rand([3, 6, 5, 7])];
    await assertSame(inputs, (xx, mm, vv, dy) => {
      const g = tf.getGradient('FusedBatchNorm');
      assert.ok(g);
      const closures = g.gradFunc(dy, [xx, mm, vv, undefined as unknown as tf.Tensor], { varianceEpsilon: 1e-3 });
      return ['x', 'mean', 'variance', 'scale', 'offset'].map((k) => closures[k]());
    }, ['OneDnnFusedBatchNormGrad'], 1e-4, 'no scale');
  });

  it('parameters that are not per-channel vectors use tfjs\'s gradient', async () => {
    // Per-channel mean/variance/offset with a one-value scale: tfjs's formula on onednn too.
    const inputs = [rand([2, 4, 3, 5], -2, 2), rand([5]), rand([5], 0.1, 2), rand([1], 0.5, 2), rand([2, 4, 3, 5])];
    await assertSame(inputs, (x, m, v, s, dy) => {
      const g = tf.getGradient('FusedBatchNorm');
      assert.ok(g);
      const closures = g.gradFunc(dy, [x, m, v, s], { varianceEpsilon: 1e-3 });
      return ['x', 'mean', 'variance', 'scale', 'offset'].map((k) => closures[k]());
    }, ['Tile'], 1e-4, 'scalar scale');
    assert.equal(kernelStats().native['OneDnnFusedBatchNormGrad'] ?? 0, 0);
  });

  it('stays the registered FusedBatchNorm gradient when tfjs-core\'s is registered again, and can be uninstalled', async () => {
    await tf.setBackend('onednn');
    const ours = tf.getGradient('FusedBatchNorm');
    assert.ok(ours && isFusedBatchNormGradInstalled());
    uninstallFusedBatchNormGrad();
    const tfjsGrad = tf.getGradient('FusedBatchNorm');
    assert.ok(tfjsGrad && tfjsGrad !== ours, "uninstalling restores tfjs-core's gradient");
    installFusedBatchNormGrad();
    assert.equal(tf.getGradient('FusedBatchNorm'), ours);
    const forward = () => tf.tidy(() => tf.batchNorm(tf.ones([1, 2, 2, 3]), tf.zeros([3]), tf.ones([3])));
    // As a later import of tfjs-layers would: register tfjs-core's gradient again.
    tf.registerGradient({ ...tfjsGrad });
    assert.notEqual(tf.getGradient('FusedBatchNorm'), ours);
    forward();
    assert.equal(tf.getGradient('FusedBatchNorm'), ours, 'the onednn forward put it back');
    // A gradient that saves other tensors is someone's own: left alone.
    const foreign = { kernelName: 'FusedBatchNorm', inputsToSave: ['x'], gradFunc: tfjsGrad.gradFunc };
    tf.registerGradient(foreign);
    forward();
    assert.equal(tf.getGradient('FusedBatchNorm'), foreign);
    tf.registerGradient(tfjsGrad);
    forward();
    assert.equal(tf.getGradient('FusedBatchNorm'), ours);
    // Uninstalled: tfjs's formula on onednn too (its Tile runs), same values.
    const inputs = [rand([2, 5, 3, 7], -2, 2), rand([7]), rand([7], 0.1, 2), rand([7], 0.5, 2), rand([7]), rand([2, 5, 3, 7])];
    const fn = (x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor, w: tf.Tensor) =>
      tf.grads((xx: tf.Tensor, mm: tf.Tensor, vv: tf.Tensor, ss: tf.Tensor, oo: tf.Tensor) =>
        tf.sum(tf.mul(bn(1e-3)(xx, mm, vv, ss, oo), w)))([x, m, v, s, o]);
    uninstallFusedBatchNormGrad();
    try {
      await assertSame(inputs, fn, ['Tile'], 1e-4, 'uninstalled');
      assert.equal(kernelStats().native['OneDnnFusedBatchNormGrad'] ?? 0, 0);
    } finally {
      installFusedBatchNormGrad();
    }
    assert.equal(tf.getGradient('FusedBatchNorm'), ours);
    await assertSame(inputs, fn, ['OneDnnFusedBatchNormGrad'], 1e-4, 'reinstalled');
  });
});

// tfjs-layers calls tf.moments through tfjs-core's CommonJS exports, which is what the
// onednn package patches (an ESM `import { moments }` gets tfjs's own op).
const tfc = createRequire(import.meta.url)('@tensorflow/tfjs-core') as typeof tf;

describe('moments (patched) vs tfjs-cpu', () => {
  const cases: [number[], number | number[], boolean][] = [
    [[7, 5], [0], false], [[1, 3], 0, false], [[64, 513], [0], true], [[2, 9, 11, 7], [0, 1, 2], false],
    [[1, 5, 3, 1], [2, 0, 1], true], [[3, 37, 41, 5], [-4, -3, -2], false], [[4, 6, 9], [0, 1], false],
  ];
  for (const [xs, axis, keepDims] of cases) {
    it(`x ${JSON.stringify(xs)} axis ${JSON.stringify(axis)} keepDims=${keepDims}: values and gradient`, async () => {
      const C = xs[xs.length - 1];
      const wShape = keepDims ? [...xs.slice(0, -1).map(() => 1), C] : [C];
      await assertSame([rand(xs, -3, 3), rand(wShape), rand(wShape)], (x, w1, w2) => {
        const { mean, variance } = tfc.moments(x, axis, keepDims);
        const [dx] = tf.grads((xx: tf.Tensor) => {
          const r = tfc.moments(xx, axis, keepDims);
          return tf.add(tf.sum(tf.mul(r.mean, w1)), tf.sum(tf.mul(r.variance, w2)));
        })([x]);
        return [mean, variance, dx];
      }, ['OneDnnMoments', 'OneDnnMomentsGrad'], 1e-4, 'moments');
    });
  }

  it('a large mean does not cancel the variance', async () => {
    await assertSame([rand([8, 9, 10, 3], 1000, 1001)], (x) => {
      const { mean, variance } = tfc.moments(x, [0, 1, 2]);
      return [mean, variance];
    }, ['OneDnnMoments'], 1e-4, 'offset');
  });

  it('other axes and dtypes use tfjs\'s moments', async () => {
    await assertSame([rand([3, 4, 5, 6])], (x) => {
      const a = tfc.moments(x, [1, 2]), b = tfc.moments(x), c = tfc.moments(x, [0, 1, 2, 3]);
      return [a.mean, a.variance, b.mean, b.variance, c.variance];
    }, [], 1e-4, 'other axes');
    assert.equal(kernelStats().native['OneDnnMoments'] ?? 0, 0);
    const ints = { shape: [4, 3], data: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13]), dtype: 'int32' as const };
    await assertSame([ints], (x) => { const r = tfc.moments(x, [0]); return [r.mean, r.variance]; }, [], 1e-6, 'int32');
    assert.equal(kernelStats().native['OneDnnMoments'] ?? 0, 0);
  });

  it('training-style batch norm (moments of the batch) gives the same gradients', async () => {
    for (const xs of [[4, 9, 7, 5], [1, 16, 16, 3], [64, 13]]) {
      const C = xs[xs.length - 1];
      const axes = xs.slice(0, -1).map((_, i) => i);
      await assertSame([rand(xs, -2, 2), rand([C], 0.5, 2), rand([C]), rand(xs)], (x, s, o, w) => {
        const f = (xx: tf.Tensor, ss: tf.Tensor, oo: tf.Tensor) => {
          const { mean, variance } = tfc.moments(xx, axes);
          return tf.sum(tf.mul(bn(1e-3)(xx, mean, variance, ss, oo), w));
        };
        return tf.grads(f)([x, s, o]);
      }, ['OneDnnMoments', 'OneDnnMomentsGrad', 'FusedBatchNorm', 'OneDnnFusedBatchNormGrad'], 1e-4, 'moments grads');
    }
  });

  // tfjs-layers' call: tfjs-core's CommonJS moments, then batchNorm{2,3,4}d on the same tensors.
  const bnOfMoments = (x: tf.Tensor, axes: number[], s?: tf.Tensor, o?: tf.Tensor) => {
    const { mean, variance } = tfc.moments(x, axes);
    const f = x.rank === 2 ? tfc.batchNorm2d : x.rank === 3 ? tfc.batchNorm3d : x.rank === 4 ? tfc.batchNorm4d : tfc.batchNorm;
    return { y: (f as typeof tf.batchNorm)(x, mean, variance, o, s, 1e-3), mean, variance };
  };

  it('batch norm over its own moments (tfjs-layers\' call) is one node with the whole gradient', async () => {
    for (const xs of [[4, 9, 7, 5], [1, 16, 16, 3], [64, 13], [3, 6, 11]]) {
      const C = xs[xs.length - 1];
      const axes = xs.slice(0, -1).map((_, i) => i);
      await assertSame([rand(xs, -2, 2), rand([C], 0.5, 2), rand([C]), rand(xs)], (x, s, o, w) =>
        tf.grads((xx: tf.Tensor, ss: tf.Tensor, oo: tf.Tensor) => tf.sum(tf.mul(bnOfMoments(xx, axes, ss, oo).y, w)))([x, s, o]),
      ['OneDnnMoments', 'OneDnnBatchNormTraining', 'OneDnnFusedBatchNormGrad', 'OneDnnMomentsGrad'], 1e-4,
      `fused ${JSON.stringify(xs)}`);
      assert.equal(kernelStats().native['FusedBatchNorm'] ?? 0, 0);
      assert.equal(kernelStats().native['Multiply'], 3, 'the loss\'s multiply and the gradients of Sum and Multiply; no dy·k');
      assert.equal(kernelStats().native['Add'] ?? 0, 0, 'no sum of two dx');
    }
  });

  it('… also when mean and variance are used elsewhere in the loss, and without scale or offset', async () => {
    const xs = [3, 5, 4, 6];
    await assertSame([rand(xs, -2, 2), rand([6], 0.5, 2), rand([6]), rand(xs), rand([6]), rand([6])],
      (x, s, o, w, w1, w2) => tf.grads((xx: tf.Tensor, ss: tf.Tensor, oo: tf.Tensor) => {
        const { y, mean, variance } = bnOfMoments(xx, [0, 1, 2], ss, oo);
        return tf.addN([tf.sum(tf.mul(y, w)), tf.sum(tf.mul(mean, w1)), tf.sum(tf.mul(variance, w2))]);
      })([x, s, o]), ['OneDnnBatchNormTraining', 'OneDnnMomentsGrad'], 1e-4, 'stats in the loss');
    // tfjs cannot differentiate batchNorm without scale and offset; here they are given on cpu.
    const inputs = [rand(xs, -2, 2), rand(xs)];
    resetKernelStats();
    const one = await runOn('onednn', inputs, (x, w) =>
      tf.grads((xx: tf.Tensor) => tf.sum(tf.mul(bnOfMoments(xx, [0, 1, 2]).y, w)))([x]));
    assert.equal(kernelStats().native['OneDnnBatchNormTraining'], 1);
    const cpu = await runOn('cpu', inputs, (x, w) =>
      tf.grads((xx: tf.Tensor) => tf.sum(tf.mul(bnOfMoments(xx, [0, 1, 2], tf.ones([6]), tf.zeros([6])).y, w)))([x]));
    assert.ok(relErr(one[0].data, cpu[0].data) < 1e-4);
  });

  it('inference, or statistics of another tensor, take the plain FusedBatchNorm', async () => {
    await assertSame([rand([2, 5, 4, 3]), rand([3], 0.5, 2), rand([3])], (x, s, o) => bnOfMoments(x, [0, 1, 2], s, o).y,
      ['OneDnnMoments', 'FusedBatchNorm'], 1e-4, 'inference');
    assert.equal(kernelStats().native['OneDnnBatchNormTraining'] ?? 0, 0);
    await assertSame([rand([2, 5, 4, 3]), rand([2, 5, 4, 3]), rand([3], 0.5, 2), rand([3])], (x, z, s, o) =>
      tf.grads((xx: tf.Tensor) => {
        const { mean, variance } = tfc.moments(z, [0, 1, 2]);
        return tf.sum(tfc.batchNorm4d(xx as tf.Tensor4D, mean as tf.Tensor1D, variance as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D));
      })([x]), ['OneDnnMoments', 'FusedBatchNorm', 'OneDnnFusedBatchNormGrad'], 1e-4, 'other stats');
    assert.equal(kernelStats().native['OneDnnBatchNormTraining'] ?? 0, 0);
  });

  it('results do not depend on the thread count', async () => {
    await tf.setBackend('onednn');
    const x = rand([16, 32, 32, 24], -2, 2), dy = rand([16, 32, 32, 24]);
    const run = (threads: number) => {
      setNumThreads(threads);
      return tf.tidy(() => {
        const xt = tf.tensor(x.data, x.shape), w = tf.tensor(dy.data, dy.shape);
        const s = tf.ones([24]), o = tf.zeros([24]);
        const f = (xx: tf.Tensor, ss: tf.Tensor, oo: tf.Tensor) => {
          const { mean, variance } = tfc.moments(xx, [0, 1, 2]);
          return tf.sum(tf.mul(bn(1e-3)(xx, mean, variance, ss, oo), w));
        };
        const fused = (xx: tf.Tensor, ss: tf.Tensor, oo: tf.Tensor) => tf.sum(tf.mul(bnOfMoments(xx, [0, 1, 2], ss, oo).y, w));
        const { mean, variance } = tfc.moments(xt, [0, 1, 2]);
        return [mean, variance, ...tf.grads(f)([xt, s, o]), ...tf.grads(fused)([xt, s, o])]
          .map((t) => t.dataSync().slice());
      });
    };
    const before = getNumThreads();
    try {
      const one = run(1), two = run(2);
      one.forEach((a, i) => assert.deepEqual(a, two[i], `output ${i}`));
    } finally {
      setNumThreads(before);
    }
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

describe('BatchNormalization layer training (tfjs-layers)', () => {
  // Conv+ReLU+BN (rank 4, odd channel count) and Dense+ReLU+BN (rank 2), as in GTSRB v3. Seeded
  // initializers: the test is deterministic. Tolerance: a bias followed by ReLU+BN gets a
  // gradient that nearly cancels (BN is shift-invariant), and 5 steps amplify float32 rounding;
  // the test measures that amplification on tfjs-cpu and derives each weight's bound from it.
  function model(): tfl.LayersModel {
    const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
    const m = tfl.sequential();
    m.add(tfl.layers.conv2d({ inputShape: [10, 10, 3], filters: 7, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) }));
    m.add(tfl.layers.batchNormalization({ axis: -1 }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.flatten());
    m.add(tfl.layers.dense({ units: 9, activation: 'relu', kernelInitializer: init(2) }));
    m.add(tfl.layers.batchNormalization());
    m.add(tfl.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: init(3) }));
    return m;
  }
  const N = 12;
  const images = rand([N, 10, 10, 3], 0, 1, 7);
  const oneHot = new Float32Array(N * 4);
  for (let i = 0; i < N; i++) oneHot[i * 4 + ((i * 3) % 4)] = 1;

  async function train(backendName: string, steps: number, data = images.data): Promise<{ weights: Float32Array[]; losses: number[] }> {
    await tf.setBackend(backendName);
    const m = model();
    const opt = tf.train.sgd(0.1);
    m.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const x = tf.tensor4d(data, [N, 10, 10, 3]), y = tf.tensor2d(oneHot, [N, 4]);
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      const l = await m.trainOnBatch(x, y);
      losses.push(Array.isArray(l) ? l[0] : l);
    }
    const weights = m.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
    tf.dispose([x, y]);
    m.dispose();
    opt.dispose();
    return { weights, losses };
  }

  it('5 SGD steps give the same weights, moving mean and variance as on tfjs-cpu', async () => {
    const cpu = await train('cpu', 5);
    resetKernelStats();
    const one = await train('onednn', 5);
    const stats = kernelStats();
    for (const k of ['OneDnnMoments', 'OneDnnBatchNormTraining', 'OneDnnFusedBatchNormGrad', 'OneDnnMomentsGrad']) {
      assert.equal(stats.native[k], 2 * 5, `${k} ran natively for both layers on every step (${JSON.stringify(stats.native)})`);
    }
    assert.equal(stats.native['Tile'] ?? 0, 0);
    assert.equal(one.weights.length, 14);
    // The tolerance from float32's own error, not from one machine's worst case. tfjs-cpu trained again on the
    // images each moved to the next float32 (one rounding of the inputs) shows how much this training amplifies a
    // single rounding error (the gradient of a bias before ReLU+BN nearly cancels, and 5 steps compound it).
    // Another correct float32 implementation rounds differently in every term of every sum; such errors add up
    // like a random walk, √n roundings for a sum of n terms (probabilistic rounding error analysis, Higham & Mary
    // 2019), and the longest sums here are the batch statistics' over N·H·W = 12·8·8 = 768 terms.
    const next = new Float32Array(images.data);
    const bits = new Int32Array(next.buffer);
    for (let i = 0; i < bits.length; i++) bits[i] += 1; // positive floats: the next representable value
    const jitter = await train('cpu', 5, next);
    const ROUNDINGS = Math.sqrt(12 * 8 * 8);
    one.weights.forEach((w, i) => {
      const amplified = Math.max(relErr(jitter.weights[i], cpu.weights[i]), 2 ** -24);
      const e = relErr(w, cpu.weights[i]);
      assert.ok(e <= ROUNDINGS * amplified, `weight ${i}: relative error ${e} > √768 × ${amplified} (one rounding of the inputs, amplified)`);
    });
    one.losses.forEach((l, i) => assert.ok(Math.abs(l - cpu.losses[i]) < 1e-4 * Math.abs(cpu.losses[i]), `loss ${i}`));
    assert.ok(one.losses[4] < one.losses[0], `loss fell: ${one.losses}`);
  });
});
