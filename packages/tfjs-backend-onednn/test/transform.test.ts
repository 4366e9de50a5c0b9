import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rand, runOn, tf } from './helpers.js';
import { kernelStats, resetKernelStats } from '../src/index.js';

type Fill = 'constant' | 'reflect' | 'wrap' | 'nearest';

/**
 * A straightforward reference of tf.image.transform: per output pixel, the input point, the fill rule
 * for points outside, and nearest or bilinear sampling whose outside neighbours read the fill value.
 */
function reference(x: Float32Array, [n, h, w, c]: number[], t: Float32Array, interp: 'nearest' | 'bilinear',
  fill: Exclude<Fill, 'wrap'>, cval: number, [oh, ow] = [h, w]): Float64Array {
  const out = new Float64Array(n * oh * ow * c);
  const place = (v: number, len: number): number => {
    if (fill === 'constant') return v;
    if (fill === 'nearest') return Math.min(Math.max(v, 0), len - 1);
    // reflect about the outer edges of the border pixels until inside
    while (v < -0.5 || v > len - 0.5) v = v < -0.5 ? -1 - v : 2 * len - 1 - v;
    return Math.min(Math.max(v, 0), len - 1);
  };
  const at = (b: number, yy: number, xx: number, ch: number) =>
    (yy >= 0 && yy < h && xx >= 0 && xx < w ? x[((b * h + yy) * w + xx) * c + ch] : cval);
  for (let b = 0; b < n; b++) {
    const r = t.length === 8 ? t : t.subarray(b * 8, b * 8 + 8);
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const k = r[6] * ox + r[7] * oy + 1;
        const ix = place((r[0] * ox + r[1] * oy + r[2]) / k, w);
        const iy = place((r[3] * ox + r[4] * oy + r[5]) / k, h);
        for (let ch = 0; ch < c; ch++) {
          let v: number;
          if (interp === 'nearest') v = at(b, Math.round(iy), Math.round(ix), ch);
          else {
            const [x0, y0] = [Math.floor(ix), Math.floor(iy)];
            const [fx, fy] = [ix - x0, iy - y0];
            v = (1 - fy) * ((1 - fx) * at(b, y0, x0, ch) + fx * at(b, y0, x0 + 1, ch)) +
              fy * ((1 - fx) * at(b, y0 + 1, x0, ch) + fx * at(b, y0 + 1, x0 + 1, ch));
          }
          out[((b * oh + oy) * ow + ox) * c + ch] = v;
        }
      }
    }
  }
  return out;
}

/** Rotations up to ±180°, scales 0.5–1.5, shifts past the border, and mild perspective. */
function transforms(n: number, h: number, w: number, seed: number): Float32Array {
  const r = rand([n * 8], 0, 1, seed).data;
  const t = new Float32Array(n * 8);
  for (let i = 0; i < n; i++) {
    const u = r.subarray(i * 8, i * 8 + 8);
    const a = (u[0] - 0.5) * 2 * Math.PI;
    const s = 0.5 + u[1];
    const [cx, cy] = [(w - 1) / 2, (h - 1) / 2];
    const [tx, ty] = [(u[2] - 0.5) * w, (u[3] - 0.5) * h];
    const [a0, a1, b0, b1] = [s * Math.cos(a), -s * Math.sin(a), s * Math.sin(a), s * Math.cos(a)];
    const persp = i % 3 === 2 ? [(u[4] - 0.5) * 0.02, (u[5] - 0.5) * 0.02] : [0, 0];
    t.set([a0, a1, cx + tx - a0 * cx - a1 * cy, b0, b1, cy + ty - b0 * cx - b1 * cy, persp[0], persp[1]], i * 8);
  }
  return t;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('Transform (tf.image.transform) on onednn', () => {
  const shape = [37, 24, 24, 3]; // > 2^15 output values: the threaded path too
  const x = rand(shape, 0, 1, 7);
  const t = transforms(shape[0], shape[1], shape[2], 8);
  for (const interp of ['bilinear', 'nearest'] as const) {
    for (const fill of ['constant', 'reflect', 'nearest'] as const) {
      it(`${interp}, fill ${fill}: the whole batch equals the reference`, async () => {
        resetKernelStats();
        const [got] = await runOn('onednn', [x, { shape: [shape[0], 8], data: t }], (im, tr) =>
          tf.image.transform(im as tf.Tensor4D, tr as tf.Tensor2D, interp, fill, 0.25));
        assert.equal(kernelStats().native.Transform, 1);
        const ref = reference(x.data, shape, t, interp, fill, 0.25);
        if (interp === 'bilinear') {
          const d = maxDiff(got.data, ref);
          assert.ok(d < 2e-5, `max |difference| ${d}`);
        } else {
          // nearest sampling may round a coordinate a float ulp away from x.5 the other way: a few values may
          // differ, each then another pixel of the same image and channel (or the fill value), never a blend
          const [, h, w, c] = shape;
          const off = Array.from(got.data.keys()).filter((i) => Math.abs(got.data[i] - ref[i]) > 1e-6);
          assert.ok(off.length <= got.data.length * 1e-3, `${off.length} of ${got.data.length} values differ`);
          for (const i of off) {
            const img = Math.floor(i / (h * w * c)), ch = i % c;
            const pixels = Array.from({ length: h * w }, (_, p) => x.data[(img * h * w + p) * c + ch]);
            assert.ok(got.data[i] === 0.25 || pixels.includes(got.data[i]), `value ${got.data[i]} at ${i} is no pixel of image ${img}, channel ${ch}`);
          }
        }
      });
    }
  }

  it('one transform row for every image, another output size, single channel', async () => {
    const s = [5, 13, 17, 1];
    const xi = rand(s, 0, 1, 3);
    const one = transforms(1, 13, 17, 4);
    const [got] = await runOn('onednn', [xi, { shape: [1, 8], data: one }], (im, tr) =>
      tf.image.transform(im as tf.Tensor4D, tr as tf.Tensor2D, 'bilinear', 'reflect', 0, [9, 21]));
    assert.deepEqual(got.shape, [5, 9, 21, 1]);
    const d = maxDiff(got.data, reference(xi.data, s, one, 'bilinear', 'reflect', 0, [9, 21]));
    assert.ok(d < 2e-5, `max |difference| ${d}`);
  });

  it('each image as tfjs-cpu computes it alone, wrap included (tfjs-cpu is only right for the first image of a batch)', async () => {
    const s = [4, 11, 9, 2];
    const xi = rand(s, 0, 1, 5);
    const tr = transforms(4, 11, 9, 6);
    for (const fill of ['wrap', 'reflect', 'constant', 'nearest'] as const) {
      const [got] = await runOn('onednn', [xi, { shape: [4, 8], data: tr }], (im, trs) =>
        tf.image.transform(im as tf.Tensor4D, trs as tf.Tensor2D, 'bilinear', fill, 0.5));
      const per = 11 * 9 * 2;
      for (let b = 0; b < 4; b++) {
        const [cpu] = await runOn('cpu', [{ shape: [1, 11, 9, 2], data: xi.data.slice(b * per, (b + 1) * per) }, { shape: [1, 8], data: tr.slice(b * 8, b * 8 + 8) }],
          (im, trs) => tf.image.transform(im as tf.Tensor4D, trs as tf.Tensor2D, 'bilinear', fill, 0.5));
        const d = maxDiff(got.data.subarray(b * per, (b + 1) * per), cpu.data);
        assert.ok(d < 2e-5, `${fill} image ${b}: max |difference| ${d}`);
      }
    }
  });

  it('points far outside or not a number read the fill value', async () => {
    const xi = rand([2, 4, 4, 1], 0, 1, 9);
    const far = Float32Array.from([1, 0, 1e30, 0, 1, 0, 0, 0, NaN, 0, 0, 0, 1, 0, 0, 0]);
    const [got] = await runOn('onednn', [xi, { shape: [2, 8], data: far }], (im, tr) =>
      tf.image.transform(im as tf.Tensor4D, tr as tf.Tensor2D, 'bilinear', 'constant', 0.75));
    assert.deepEqual(Array.from(got.data), new Array(32).fill(0.75));
  });
});
