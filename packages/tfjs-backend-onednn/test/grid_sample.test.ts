// OneDnnGridSample (the spatial transformer's bilinear sampler, PyTorch's grid_sample with
// align_corners false and zeros padding): values and both gradients against the same formula in
// tfjs ops on the cpu backend, the gradients against finite differences, the identity grid,
// NaN grid points, bad inputs. (bench/stn-twin.ts compares it with PyTorch itself.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertFiniteDifferences, gradsOf, rand, relErr, runOn, tf } from './helpers.js';
import { kernelStats, resetKernelStats } from '../src/index.js';

const gridSample = (x: tf.Tensor, grid: tf.Tensor) => tf.engine().runKernel('OneDnnGridSample', { x, grid }, {}) as tf.Tensor;

/**
 * The same function in tfjs ops, separable: per point, a row over the image's columns holding 1 − tx at x0 = ⌊ix⌋
 * and tx at x0 + 1 (one-hot rows: a neighbour outside the image gets no entry, i.e. reads 0), the same over its rows;
 * out = Σ_i rowWeight_i Σ_j colWeight_j x[i, j].
 */
function gridSampleOps(x: tf.Tensor, grid: tf.Tensor): tf.Tensor {
  const [B, H, W, C] = x.shape;
  const [, Ho, Wo] = grid.shape;
  const P = Ho * Wo;
  const [gx, gy] = tf.unstack(tf.reshape(grid, [B, P, 2]), 2);
  const weights = (g: tf.Tensor, n: number) => {
    const i = tf.div(tf.sub(tf.mul(tf.add(g, 1), n), 1), 2);
    const i0 = tf.floor(i), t = tf.expandDims(tf.sub(i, i0), -1);
    // (tf.oneHot wants a depth of 2 or more)
    const hot = (v: tf.Tensor) => tf.slice(tf.oneHot(tf.cast(v, 'int32'), Math.max(n, 2)), [0, 0, 0], [-1, -1, n]);
    return tf.add(tf.mul(hot(i0), tf.sub(1, t)), tf.mul(hot(tf.add(i0, 1)), t)); // [B, P, n]
  };
  const cols = tf.matMul(weights(gx, W), tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [B, W, H * C])); // [B, P, H·C]
  const out = tf.sum(tf.mul(tf.reshape(cols, [B, P, H, C]), tf.expandDims(weights(gy, H), -1)), 2);
  return tf.reshape(out, [B, Ho, Wo, C]);
}

/**
 * A grid [B, Ho, Wo, 2] whose points sit at pixel coordinates k + u, k an integer in [-2, size] (some neighbours, or
 * all, outside the image) and u in [0.3, 0.7]: a step of 0.2 pixels stays inside one bilinear piece.
 */
function gridAwayFromPixels(B: number, Ho: number, Wo: number, H: number, W: number, seed: number) {
  const r = rand([B, Ho, Wo, 2], 0, 1, seed), u = rand([B, Ho, Wo, 2], 0.3, 0.7, seed + 1);
  const data = r.data.map((v, i) => {
    const n = i % 2 === 0 ? W : H;
    const pix = Math.floor(v * (n + 3)) - 2 + u.data[i];
    return (2 * pix + 1) / n - 1;
  });
  return { shape: r.shape, data };
}

describe('OneDnnGridSample', () => {
  for (const [B, H, W, C, Ho, Wo] of [[1, 1, 1, 1, 1, 1], [2, 5, 7, 3, 4, 6], [3, 8, 8, 1, 8, 8], [2, 32, 32, 3, 32, 32], [1, 6, 4, 16, 9, 2]]) {
    it(`x [${B}, ${H}, ${W}, ${C}], grid [${B}, ${Ho}, ${Wo}, 2]: forward and both gradients equal tfjs ops on cpu`, async () => {
      const ins = [rand([B, H, W, C], -2, 2), rand([B, Ho, Wo, 2], -1.3, 1.3)];
      resetKernelStats();
      const one = await runOn('onednn', ins, (x, g) => [gridSample(x, g), ...gradsOf(gridSample, [B, Ho, Wo, C])(x, g)]);
      const stats = kernelStats().native;
      const cpu = await runOn('cpu', ins, (x, g) => [gridSampleOps(x, g), ...gradsOf(gridSampleOps, [B, Ho, Wo, C])(x, g)]);
      one.forEach((o, i) => assert.ok(relErr(o.data, cpu[i].data) < 1e-4, `output ${i}: ${relErr(o.data, cpu[i].data)}`));
      assert.ok(stats.OneDnnGridSample > 0 && stats.OneDnnGridSampleGrad > 0, JSON.stringify(stats));
    });
  }
  it('both gradients match finite differences (points inside, on the border and outside)', async () => {
    const [B, H, W, C, Ho, Wo] = [2, 5, 6, 3, 4, 5];
    const grid = gridAwayFromPixels(B, Ho, Wo, H, W, 31);
    const every = (_: number, n: number) => Array.from({ length: n }, (_v, j) => j);
    // a step of 0.2 pixels along x is 0.4 / W in grid units (0.4 / H along y): the smaller of the two
    await assertFiniteDifferences([rand([B, H, W, C], -2, 2), grid], gridSample, [B, Ho, Wo, C], 'grid sample',
      { h: 0.4 / Math.max(H, W), at: every });
  });
  it('the identity grid (pixel centres) gives the image back', async () => {
    const [H, W] = [5, 7];
    const grid = new Float32Array(H * W * 2);
    for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) grid.set([(2 * j + 1) / W - 1, (2 * i + 1) / H - 1], 2 * (i * W + j));
    const x = rand([1, H, W, 2], -1, 1);
    const [y] = await runOn('onednn', [x, { shape: [1, H, W, 2], data: grid }], gridSample);
    y.data.forEach((v, i) => assert.ok(Math.abs(v - x.data[i]) < 1e-5, `element ${i}: ${v} vs ${x.data[i]}`));
  });
  it('a NaN grid point gives NaN at that point only (and a NaN grid gradient there)', async () => {
    const x = rand([1, 3, 3, 2], -1, 1), g = rand([1, 2, 2, 2], -0.9, 0.9);
    g.data[2] = NaN; // point 1's x
    const [y, , dg] = await runOn('onednn', [x, g], (a, b) => [gridSample(a, b), ...gradsOf(gridSample, [1, 2, 2, 2])(a, b)]);
    assert.deepEqual(Array.from(y.data, Number.isNaN), [false, false, true, true, false, false, false, false]);
    assert.deepEqual(Array.from(dg.data, Number.isNaN), [false, false, true, true, false, false, false, false]);
  });
  it('bad inputs are a RangeError naming the kernel', async () => {
    await tf.setBackend('onednn');
    const x = tf.ones([2, 4, 4, 3]), g = tf.zeros([2, 3, 3, 2]);
    assert.throws(() => gridSample(tf.ones([4, 4, 3]), g), /RangeError: OneDnnGridSample: x must be a non-empty float32 \[B, H, W, C\]/);
    assert.throws(() => gridSample(tf.ones([2, 4, 4, 3], 'int32'), g), /RangeError: OneDnnGridSample: x must/);
    assert.throws(() => gridSample(x, tf.zeros([1, 3, 3, 2])), /RangeError: OneDnnGridSample: grid must be float32 \[2, Ho, Wo, 2\] \(got float32 \[1,3,3,2\]\)/);
    assert.throws(() => gridSample(x, tf.zeros([2, 3, 3, 3])), /RangeError: OneDnnGridSample: grid must/);
    assert.throws(() => gridSample(x, tf.zeros([2, 0, 3, 2])), /RangeError: OneDnnGridSample: grid must/);
    tf.dispose([x, g]);
  });
});
