// The transformer kernels (OneDnnLayerNorm, OneDnnGelu, OneDnnAttention) and the native
// Transpose: each against the same formula in tfjs ops on the cpu backend (values and
// gradients), its gradient against finite differences, bad inputs, and one pre-norm
// transformer block trained a few Adam steps on onednn with no tfjs-cpu code in the step.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { assertFiniteDifferences, assertSame, gradsOf, rand, relErr, runOn, tf } from './helpers.js';
import { CPU_VIEW_KERNELS, kernelStats, OneDnnAdam, resetKernelStats } from '../src/index.js';

const engine = () => tf.engine();
const EPS = 1e-6;

// The kernels by name (as model code calls them) and the same functions in tfjs ops.
const layerNorm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, epsilon = EPS) =>
  engine().runKernel('OneDnnLayerNorm', { x, gamma: g, beta: b }, { epsilon }) as tf.Tensor;
function layerNormOps(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, epsilon = EPS): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const c = tf.sub(x, mean);
  const variance = tf.mean(tf.square(c), -1, true);
  return tf.add(tf.mul(tf.div(c, tf.sqrt(tf.add(variance, epsilon))), g), b);
}
const gelu = (x: tf.Tensor) => engine().runKernel('OneDnnGelu', { x }, {}) as tf.Tensor;
const geluOps = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
const attention = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, heads: number, scale: number) =>
  (engine().runKernel('OneDnnAttention', { q, k, v }, { heads, scale }) as tf.Tensor[])[0];
function attentionOps(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, heads: number, scale: number): tf.Tensor {
  const [B, T, D] = q.shape;
  const split = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, heads, D / heads]), [0, 2, 1, 3]);
  const p = tf.softmax(tf.mul(tf.matMul(split(q), split(k), false, true), scale));
  return tf.reshape(tf.transpose(tf.matMul(p, split(v)), [0, 2, 1, 3]), [B, T, D]);
}

describe('OneDnnLayerNorm', () => {
  for (const shape of [[3, 5], [2, 7, 16], [2, 3, 4, 64], [1, 1]]) {
    const C = shape[shape.length - 1];
    const inputs = () => [rand(shape, -3, 5), rand([C], 0.5, 1.5), rand([C], -1, 1)];
    it(`[${shape}]: forward and gradients equal tfjs ops on cpu`, async () => {
      const ins = inputs();
      const one = await runOn('onednn', ins, (x, g, b) => layerNorm(x, g, b));
      const cpu = await runOn('cpu', ins, (x, g, b) => layerNormOps(x, g, b));
      assert.ok(relErr(one[0].data, cpu[0].data) < 1e-4, `forward ${relErr(one[0].data, cpu[0].data)}`);
      const gOne = await runOn('onednn', ins, gradsOf((x, g, b) => layerNorm(x, g, b), shape));
      const gCpu = await runOn('cpu', ins, gradsOf((x, g, b) => layerNormOps(x, g, b), shape));
      // C = 1 normalises every value to 0: dx is exactly 0 in exact arithmetic, rounding noise in both.
      gOne.forEach((g, i) => assert.ok(C === 1 && i === 0 ? g.data.every((v) => Math.abs(v) < 1e-3)
        : relErr(g.data, gCpu[i].data) < 1e-3, `gradient ${i}: ${relErr(g.data, gCpu[i].data)}`));
      const stats = kernelStats().native;
      assert.ok(stats.OneDnnLayerNorm > 0 && stats.OneDnnLayerNormGrad > 0, JSON.stringify(stats));
    });
  }
  it('gradients match finite differences', async () => {
    await assertFiniteDifferences([rand([2, 3, 8], -2, 2), rand([8], 0.5, 1.5), rand([8], -1, 1)],
      (x, g, b) => layerNorm(x, g, b, 1e-3), [2, 3, 8], 'layer norm');
  });
  it('another epsilon is honoured', async () => {
    const ins = [rand([4, 6], -0.01, 0.01), rand([6], 1, 1), rand([6], 0, 0)];
    await assertSame(ins, (x, g, b) => tf.getBackend() === 'onednn' ? layerNorm(x, g, b, 1e-3)
      : layerNormOps(x, g, b, 1e-3), ['OneDnnLayerNorm'], 1e-4, 'epsilon 1e-3');
  });
  it('bad inputs are a RangeError naming the kernel', async () => {
    await tf.setBackend('onednn');
    const x = tf.ones([2, 4]), g = tf.ones([4]), b = tf.zeros([4]);
    assert.throws(() => layerNorm(x, tf.ones([3]), b), /RangeError: OneDnnLayerNorm: .*gamma/);
    assert.throws(() => layerNorm(x, g, tf.ones([5])), /RangeError: OneDnnLayerNorm: beta/);
    assert.throws(() => layerNorm(tf.ones([4]), g, b), /RangeError: OneDnnLayerNorm: x must/);
    assert.throws(() => layerNorm(tf.ones([2, 4], 'int32'), g, b), /RangeError: OneDnnLayerNorm: x must/);
    assert.throws(() => layerNorm(x, g, b, 0), /RangeError: OneDnnLayerNorm: attribute epsilon/);
    tf.dispose([x, g, b]);
  });
});

describe('OneDnnGelu', () => {
  for (const shape of [[7], [3, 5], [2, 7, 16], [2, 3, 4, 8]]) {
    it(`[${shape}]: forward and gradient equal tfjs ops on cpu`, async () => {
      const ins = [rand(shape, -5, 5)];
      const one = await runOn('onednn', ins, (x) => [gelu(x), ...gradsOf(gelu, shape)(x)]);
      const cpu = await runOn('cpu', ins, (x) => [geluOps(x), ...gradsOf(geluOps, shape)(x)]);
      one.forEach((o, i) => assert.ok(relErr(o.data, cpu[i].data) < 1e-4, `output ${i}: ${relErr(o.data, cpu[i].data)}`));
      const stats = kernelStats().native;
      assert.ok(stats.OneDnnGelu > 0 && stats.OneDnnGeluGrad > 0, JSON.stringify(stats));
    });
  }
  it('the gradient matches finite differences', async () => {
    await assertFiniteDifferences([rand([3, 11], -3, 3)], gelu, [3, 11], 'gelu');
  });
  it('bad inputs are a RangeError naming the kernel', async () => {
    await tf.setBackend('onednn');
    assert.throws(() => gelu(tf.ones([2, 3], 'int32')), /RangeError: OneDnnGelu: x must/);
    assert.throws(() => gelu(tf.ones([0, 3])), /RangeError: OneDnnGelu: x must/);
  });
});

describe('OneDnnAttention', () => {
  for (const [B, T, D, heads] of [[2, 1, 8, 1], [2, 1, 64, 4], [2, 49, 8, 1], [2, 49, 64, 4], [3, 5, 12, 4]]) {
    it(`B ${B}, T ${T}, D ${D}, heads ${heads}: forward and gradients equal tfjs ops on cpu`, async () => {
      const scale = 1 / Math.sqrt(D / heads);
      const ins = [rand([B, T, D], -2, 2), rand([B, T, D], -2, 2), rand([B, T, D], -1, 1)];
      const one = await runOn('onednn', ins, (q, k, v) => [attention(q, k, v, heads, scale),
        ...gradsOf((a, b, c) => attention(a, b, c, heads, scale), [B, T, D])(q, k, v)]);
      const cpu = await runOn('cpu', ins, (q, k, v) => [attentionOps(q, k, v, heads, scale),
        ...gradsOf((a, b, c) => attentionOps(a, b, c, heads, scale), [B, T, D])(q, k, v)]);
      one.forEach((o, i) => {
        // T = 1: the softmax is 1 whatever the scores, so dq and dk are exactly 0 (rounding noise).
        if (T === 1 && (i === 1 || i === 2)) assert.ok(o.data.every((v) => Math.abs(v) < 1e-5), `output ${i}`);
        else assert.ok(relErr(o.data, cpu[i].data) < 1e-4, `output ${i}: ${relErr(o.data, cpu[i].data)}`);
      });
      const stats = kernelStats().native;
      assert.ok(stats.OneDnnAttention > 0 && stats.OneDnnAttentionGrad > 0, JSON.stringify(stats));
    });
  }
  it('the probabilities (output 1) are the per-head softmax', async () => {
    const ins = [rand([2, 6, 8], -2, 2), rand([2, 6, 8], -2, 2), rand([2, 6, 8], -1, 1)];
    const [, probs] = await runOn('onednn', ins, (q, k, v) =>
      engine().runKernel('OneDnnAttention', { q, k, v }, { heads: 2, scale: 0.5 }) as tf.Tensor[]);
    const want = await runOn('cpu', ins, (q, k) => {
      const split = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [2, 6, 2, 4]), [0, 2, 1, 3]);
      return tf.softmax(tf.mul(tf.matMul(split(q), split(k), false, true), 0.5));
    });
    assert.deepEqual(probs.shape, [2, 2, 6, 6]);
    assert.ok(relErr(probs.data, want[0].data) < 1e-5);
  });
  it('gradients match finite differences (heads 1 and 4)', async () => {
    for (const heads of [1, 4]) {
      await assertFiniteDifferences([rand([2, 5, 8], -1, 1), rand([2, 5, 8], -1, 1), rand([2, 5, 8], -1, 1)],
        (q, k, v) => attention(q, k, v, heads, 0.7), [2, 5, 8], `attention, heads ${heads}`);
    }
  });
  it('a NaN in q makes its rows NaN, as the formula in tfjs ops does', async () => {
    const q = rand([1, 3, 4], -1, 1), k = rand([1, 3, 4], -1, 1), v = rand([1, 3, 4], -1, 1);
    q.data[4] = NaN; // token 1, head 0
    await assertSame([q, k, v], (a, b, c) => tf.getBackend() === 'onednn' ? attention(a, b, c, 2, 0.5)
      : attentionOps(a, b, c, 2, 0.5), ['OneDnnAttention'], 1e-5, 'NaN');
  });
  it('bad inputs are a RangeError naming the kernel', async () => {
    await tf.setBackend('onednn');
    const t = tf.ones([2, 3, 8]);
    assert.throws(() => attention(t, t, t, 3, 1), /RangeError: OneDnnAttention: attribute heads/);
    assert.throws(() => attention(t, tf.ones([2, 4, 8]), t, 2, 1), /RangeError: OneDnnAttention: k must be float32 \[2,3,8\]/);
    assert.throws(() => attention(tf.ones([6, 8]), t, t, 2, 1), /RangeError: OneDnnAttention: q must/);
    assert.throws(() => attention(t, t, tf.ones([2, 3, 8], 'int32'), 2, 1), /RangeError: OneDnnAttention: v must/);
    assert.throws(() => attention(t, t, t, 2, Infinity), /RangeError: OneDnnAttention: attribute scale/);
  });
});

describe('Transpose', () => {
  const cases: [number[], number[]][] = [[[3, 5], [1, 0]], [[2, 3, 4], [0, 2, 1]], [[2, 3, 4, 5], [0, 2, 1, 3]],
    [[2, 3, 4, 5], [3, 1, 0, 2]], [[4, 6], [0, 1]], [[2, 1, 3, 1, 2], [4, 3, 2, 1, 0]],
    // Above the size copied on the calling thread: oneDNN's reorder.
    [[64, 40, 16], [2, 0, 1]], [[256, 130], [1, 0]]];
  for (const [shape, perm] of cases) {
    it(`[${shape}] by [${perm}] and its gradient equal tfjs-cpu`, async () => {
      const outShape = perm.map((p) => shape[p]);
      await assertSame([rand(shape)], (x) => [tf.transpose(x, perm),
        ...gradsOf((a) => tf.transpose(a, perm), outShape)(x)], ['Transpose'], 1e-7, `[${shape}] [${perm}]`);
    });
  }
  it('int32 tensors go to tfjs-cpu (counted as a fallback)', async () => {
    resetKernelStats();
    const got = await runOn('onednn', [{ shape: [2, 3], data: Int32Array.from([1, 2, 3, 4, 5, 6]), dtype: 'int32' }],
      (x) => tf.transpose(x));
    assert.deepEqual(Array.from(got[0].data), [1, 4, 2, 5, 3, 6]);
    assert.equal(kernelStats().fallback.Transpose, 1);
  });
});

// ---------------------------------------------------------------------------------------------
// One pre-norm transformer block with patch embedding, position embedding, mean pooling and a
// softmax head, written with tfjs-core ops and the kernels above (the vit's training step in
// miniature: 28x28x1 → 49 tokens of 64 channels, 4 heads of 16).
const D = 64, T = 49, HEADS = 4, MLP = 128, K = 10;
// tfjs-core's CommonJS exports, through which tfjs-layers calls dropout and the fused ops (the
// backend's training-time patches replace them there).
const tfc = createRequire(import.meta.url)('@tensorflow/tfjs-core') as typeof tf;

function glorot(shape: number[], seed: number): tf.Variable {
  const fanIn = shape.length === 4 ? shape[0] * shape[1] * shape[2] : shape[0];
  const fanOut = shape.length === 4 ? shape[0] * shape[1] * shape[3] : shape[1];
  const lim = Math.sqrt(6 / (fanIn + fanOut));
  return tf.variable(tf.tensor(rand(shape, -lim, lim, seed).data, shape));
}

function blockParams() {
  let seed = 1;
  const dense = (i: number, o: number) => ({ w: glorot([i, o], seed++), b: tf.variable(tf.zeros([o])) });
  const ln = () => ({ g: tf.variable(tf.ones([D])), b: tf.variable(tf.zeros([D])) });
  return {
    patch: { w: glorot([4, 4, 1, D], seed++), b: tf.variable(tf.zeros([D])) },
    pos: tf.variable(tf.tensor(rand([T, D], -0.04, 0.04, seed++).data, [T, D])),
    ln1: ln(), q: dense(D, D), k: dense(D, D), v: dense(D, D), o: dense(D, D),
    ln2: ln(), fc1: dense(D, MLP), fc2: dense(MLP, D), lnF: ln(), head: dense(D, K),
  };
}
type Params = ReturnType<typeof blockParams>;

// A Dense layer on [B, T, C] as tfjs-layers applies it: reshape, fused matmul with bias, reshape.
function dense(x: tf.Tensor, p: { w: tf.Variable; b: tf.Variable }, activation?: 'softmax'): tf.Tensor {
  const lead = x.shape.slice(0, -1);
  const y = tfc.fused.matMul({ a: tf.reshape(x, [-1, x.shape[x.shape.length - 1]]), b: p.w, bias: p.b });
  const out = tf.reshape(y, [...lead, p.w.shape[1] as number]);
  return activation === 'softmax' ? tf.softmax(out) : out;
}

function forward(p: Params, images: tf.Tensor4D, training: boolean): tf.Tensor {
  const drop = (x: tf.Tensor) => (training ? tfc.dropout(x, 0.1) : x);
  const B = images.shape[0];
  const patches = tfc.fused.conv2d({ x: images, filter: p.patch.w as tf.Tensor4D, strides: 4, pad: 'valid', bias: p.patch.b });
  let x = drop(tf.add(tf.reshape(patches, [B, T, D]), p.pos));
  const h = layerNorm(x, p.ln1.g, p.ln1.b);
  const att = attention(dense(h, p.q), dense(h, p.k), dense(h, p.v), HEADS, 0.25);
  x = tf.add(x, drop(dense(att, p.o)));
  const m = dense(gelu(dense(layerNorm(x, p.ln2.g, p.ln2.b), p.fc1)), p.fc2);
  x = tf.add(x, drop(m));
  return dense(tf.mean(layerNorm(x, p.lnF.g, p.lnF.b), 1), p.head, 'softmax');
}

describe('a pre-norm transformer block trained on onednn', () => {
  it('learns, and its training step runs no tfjs-cpu code (views only)', async () => {
    await tf.setBackend('onednn');
    const N = 32;
    const img = rand([N, 28, 28, 1], 0, 0.3, 42);
    const labels = Array.from({ length: N }, (_, i) => i % K);
    // The class is a bright 8x8 square at one of 10 places.
    labels.forEach((l, i) => {
      const r0 = 2 + 12 * Math.floor(l / 5), c0 = 1 + 5 * (l % 5);
      for (let r = r0; r < r0 + 8; r++) for (let c = c0; c < c0 + 5; c++) img.data[i * 784 + r * 28 + c] = 1;
    });
    const x = tf.tensor4d(img.data, [N, 28, 28, 1]);
    const y = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), K), 'float32');
    const p = blockParams();
    const opt = new OneDnnAdam(2e-3);
    const step = () => opt.minimize(() => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(forward(p, x, true))), -1))) as tf.Scalar,
      true) as tf.Scalar;
    const losses: number[] = [];
    const first = step();
    losses.push(first.dataSync()[0]);
    first.dispose();
    resetKernelStats();
    let tensorsAfterSecond = 0;
    for (let i = 0; i < 24; i++) {
      const l = step();
      losses.push(l.dataSync()[0]);
      l.dispose();
      if (i === 0) tensorsAfterSecond = tf.memory().numTensors;
    }
    // Nothing a step makes (the attention's probabilities, the gradients' outputs) outlives it.
    assert.equal(tf.memory().numTensors, tensorsAfterSecond);
    const stats = kernelStats();
    assert.deepEqual(stats.fallback, {}, `fallbacks to tfjs-cpu: ${JSON.stringify(stats.fallback)}`);
    const cpuCode = Object.keys(stats.cpu).filter((k) => !CPU_VIEW_KERNELS.includes(k));
    assert.deepEqual(cpuCode, [], `tfjs-cpu kernels in the training step: ${JSON.stringify(stats.cpu)}`);
    for (const k of ['OneDnnLayerNorm', 'OneDnnLayerNormGrad', 'OneDnnGelu', 'OneDnnGeluGrad', 'OneDnnAttention',
      'OneDnnAttentionGrad']) assert.ok((stats.native[k] ?? 0) >= 24, `${k}: ${JSON.stringify(stats.native)}`);
    assert.ok(losses[losses.length - 1] < losses[0] * 0.5, `loss ${losses[0]} -> ${losses[losses.length - 1]}`);
    assert.equal(opt.nativeSteps, 25);
    tf.dispose([x, y]);
    opt.dispose();
    for (const v of Object.values(p).flatMap((q) => (q instanceof tf.Variable ? [q] : Object.values(q)))) v.dispose();
  });
});
