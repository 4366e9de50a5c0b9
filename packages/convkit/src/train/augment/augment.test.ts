import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { skipOrRequire } from '../../../../../scripts/required-tools.mjs';
import { requirePython, skipWithoutPython } from '../../../test-support/python.js';
import { probeNativeBackend } from '../backend.js';
import { parseTrainOptions, TrainConfigSchema } from '../config.js';
import { parseConfigText } from '../../util/config-file.js';
import { ConvkitError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { parseWith } from '../../util/schema.js';
import { augment, applyParams } from './augment.js';
import { affineRow, drawParams, IDENTITY } from './params.js';
import { AugmentSchema, type AugmentSpec } from './schema.js';
import { affineWarp, backendTransformWorks, warpJs, type FillMode } from './warp.js';

const spec = (v: unknown) => AugmentSchema.parse(v) as AugmentSpec;
const FIDLE = spec('fidle');

test('parses presets, key=value strings and objects with Keras names; none is no augmentation', () => {
  assert.deepEqual(FIDLE, { rotation: 10, zoom: 0.2, shear: 0.1, contrast: 0, hflip: false, vflip: false, fill: 'nearest', cval: 0, widthShift: 0.1, heightShift: 0.1 });
  assert.deepEqual(spec('rotation=10,zoom=0.2,shift=0.1,shear=0.1'), FIDLE);
  const s = spec('fidle,width-shift=0.05,hflip,brightness=0.8:1.2,fill=constant,cval=0.5');
  assert.equal(s.widthShift, 0.05);
  assert.equal(s.heightShift, 0.1);
  assert.equal(s.hflip, true);
  assert.deepEqual(s.brightness, [0.8, 1.2]);
  assert.equal(s.fill, 'constant');
  assert.equal(AugmentSchema.parse('none'), undefined);
  assert.equal(AugmentSchema.parse(undefined), undefined);
  // The same field in a train config (config files and batch grids parse through this schema).
  const cfg = TrainConfigSchema.parse({ model: 'gtsrb-v1', out: 'x', augment: { rotation: 10, shift: 0.1 } });
  assert.equal(cfg.augment?.rotation, 10);
  assert.equal(cfg.augment?.heightShift, 0.1);
  assert.deepEqual(TrainConfigSchema.parse({ model: 'm', out: 'x', augment: 'fidle' }).augment, FIDLE);
  // A parsed spec parses to itself (config.json → --resume).
  assert.deepEqual(spec(JSON.parse(JSON.stringify(s))), s);
});

test('out-of-range, non-numeric and unknown settings: one error naming the key and the allowed range', () => {
  const cases: [unknown, RegExp][] = [
    ['rotation=181', /^where: rotation: must be a number in \[0, 180\] \(degrees\)$/],
    ['zoom=1', /^where: zoom: must be a number in \[0, 1\)/],
    ['zoom=-0.1', /^where: zoom: must be a number in \[0, 1\)/],
    ['shift=1.5', /^where: shift: must be a number in \[0, 1\]/],
    ['height-shift=-1', /^where: heightShift: must be a number in \[0, 1\]/],
    ['rotation=ten', /^where: rotation: must be a number in \[0, 180\]/],
    ['shear=90', /^where: shear: must be a number in \[0, 60\] \(degrees\)/],
    ['brightness=1.5', /^where: brightness: must be a range lo:hi/],
    ['fill=wrap', /^where: fill: must be one of nearest, constant, reflect$/],
    ['rotate=10', /^where: unknown key rotate \(known: rotation, .*or a preset: fidle\)$/],
    ['fidel', /^where: unknown key fidel /],
    [{ rotation: 10, extra: 1 }, /^where: unknown key extra /],
  ];
  for (const [input, re] of cases) {
    assert.throws(() => parseWith(AugmentSchema, input, 'where'), (e: unknown) => e instanceof ConvkitError && re.test(e.message) && e.exitCode === 2, String(input));
  }
  assert.throws(() => parseWith(TrainConfigSchema, { model: 'm', out: 'x', augment: { rotation: 200 } }, 'run.yaml'), (e: Error) => /^run\.yaml: augment\.rotation: must be a number in \[0, 180\]/.test(e.message));
});

test('an augment: block in a config file (train: of recipes and batch files): preset, mapping with CLI names, errors at their line', () => {
  const block = (text: string) => {
    const cfg = parseConfigText(text, 'r.yaml');
    return parseTrainOptions((cfg.data as { train: unknown }).train, cfg, ['train']);
  };
  assert.deepEqual(block('train:\n  augment: fidle\n').augment, FIDLE);
  const t = block('train:\n  epochs: 5\n  augment:\n    rotation: 5\n    width-shift: 0.2\n    brightness: [0.9, 1.1]\n');
  assert.equal(t.augment?.widthShift, 0.2);
  assert.equal(t.augment?.heightShift, 0);
  assert.deepEqual(t.augment?.brightness, [0.9, 1.1]);
  assert.throws(() => block('train:\n  epochs: 5\n  augment:\n    rotation: 200\n'), (e: Error) => e.message === 'r.yaml:4: train.augment.rotation: must be a number in [0, 180] (degrees)');
});

test('drawParams is a pure function of (seed, epoch, index) and stays in its ranges', () => {
  assert.deepEqual(drawParams(42, 3, 17, FIDLE), drawParams(42, 3, 17, FIDLE));
  const others = [drawParams(43, 3, 17, FIDLE), drawParams(42, 4, 17, FIDLE), drawParams(42, 3, 18, FIDLE)];
  for (const o of others) assert.notEqual(o.angle, drawParams(42, 3, 17, FIDLE).angle);
  const wide = spec('fidle,brightness=0.5:1.5,contrast=0.3,hflip');
  let flips = 0;
  const angles: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const p = drawParams(7, 1, i, wide);
    assert.ok(Math.abs(p.angle) <= 10 && Math.abs(p.shiftX) <= 0.1 && Math.abs(p.shiftY) <= 0.1 && Math.abs(p.shear) <= 0.1);
    assert.ok(p.zoomX >= 0.8 && p.zoomX <= 1.2 && p.zoomY >= 0.8 && p.zoomY <= 1.2 && p.zoomX !== p.zoomY);
    assert.ok(p.brightness >= 0.5 && p.brightness <= 1.5 && p.contrast >= 0.7 && p.contrast <= 1.3);
    assert.equal(p.vflip, false);
    if (p.hflip) flips++;
    angles.push(p.angle);
    // Turning other transformations on leaves the rotation drawn for this image unchanged.
    assert.equal(drawParams(7, 1, i, FIDLE).angle, p.angle);
  }
  assert.ok(flips > 900 && flips < 1100, `${flips} flips of 2000`);
  assert.ok(Math.min(...angles) < -9.5 && Math.max(...angles) > 9.5, 'the whole range is drawn');
  assert.deepEqual(drawParams(1, 1, 1, spec({})), IDENTITY);
});

/** A straightforward reference: per pixel, the input point, its four neighbours read with the fill rule. */
function referenceWarp(x: Float32Array, [n, h, w, c]: number[], t: Float32Array, fill: FillMode, cval: number): Float64Array {
  const out = new Float64Array(n * h * w * c);
  const place = (v: number, len: number): number => {
    if (fill === 'nearest') return Math.min(Math.max(v, 0), len - 1);
    if (fill === 'reflect') {
      // mirror about the outer edges of the border pixels (-0.5 and len - 0.5) until inside
      while (v < -0.5 || v > len - 0.5) v = v < -0.5 ? -1 - v : 2 * len - 1 - v;
      return Math.min(Math.max(v, 0), len - 1);
    }
    return v;
  };
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < h; oy++)
      for (let ox = 0; ox < w; ox++) {
        const r = t.subarray(b * 8, b * 8 + 8);
        const k = r[6] * ox + r[7] * oy + 1;
        const ix = place((r[0] * ox + r[1] * oy + r[2]) / k, w);
        const iy = place((r[3] * ox + r[4] * oy + r[5]) / k, h);
        for (let ch = 0; ch < c; ch++) {
          let v = 0;
          for (const [yy, wy] of [[Math.floor(iy), 1 - (iy - Math.floor(iy))], [Math.floor(iy) + 1, iy - Math.floor(iy)]])
            for (const [xx, wx] of [[Math.floor(ix), 1 - (ix - Math.floor(ix))], [Math.floor(ix) + 1, ix - Math.floor(ix)]]) {
              const inside = yy >= 0 && yy < h && xx >= 0 && xx < w;
              v += wy * wx * (inside ? x[((b * h + yy) * w + xx) * c + ch] : cval);
            }
          out[((b * h + oy) * w + ox) * c + ch] = v;
        }
      }
  return out;
}

function randomCase(seed: number, shape: [number, number, number, number]): { x: Float32Array; t: Float32Array } {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.next());
  const wild = spec('rotation=180,zoom=0.9,shift=1,shear=45,hflip,vflip');
  const t = new Float32Array(shape[0] * 8);
  for (let i = 0; i < shape[0]; i++) t.set(affineRow(drawParams(seed, 1, i, wild), shape[1], shape[2]), i * 8);
  return { x, t };
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  assert.ok(worst <= tol, `${what}: max |difference| ${worst}`);
}

test('the JS warp equals the reference for every fill mode (rotations, zooms, shifts past the border, shears, flips)', () => {
  for (const fill of ['nearest', 'constant', 'reflect'] as const) {
    const shape: [number, number, number, number] = [6, 9, 7, 3];
    const { x, t } = randomCase(fill.length, shape);
    assertClose(warpJs(x, shape, t, fill, 0.25), referenceWarp(x, shape, t, fill, 0.25), 1e-5, fill);
  }
});

test('the warp moves pixels as Keras does: identity, whole-pixel shifts, a flip, a 90° rotation', () => {
  const [h, w] = [5, 8];
  const x = Float32Array.from({ length: h * w }, (_, i) => i);
  const warp = (p: object) => warpJs(x, [1, h, w, 1], Float32Array.from(affineRow({ ...IDENTITY, ...p }, h, w)), 'constant', -1);
  assert.deepEqual(Array.from(warp({})), Array.from(x));
  // Keras: the output at p samples the input at p + shift
  assert.deepEqual(Array.from(warp({ shiftX: 2 / w })).slice(0, w), [2, 3, 4, 5, 6, 7, -1, -1]);
  assert.deepEqual(Array.from(warp({ shiftY: 1 / h })).slice(0, w), Array.from(x.slice(w, 2 * w)));
  assert.deepEqual(Array.from(warp({ hflip: true })).slice(0, w), [7, 6, 5, 4, 3, 2, 1, 0]);
  const sq = Float32Array.from({ length: 9 }, (_, i) => i);
  const rot = warpJs(sq, [1, 3, 3, 1], Float32Array.from(affineRow({ ...IDENTITY, angle: 90 }, 3, 3)), 'constant', -1);
  // what scipy.ndimage.affine_transform gives for Keras's rotation matrix with theta = 90
  assert.deepEqual(Array.from(rot, (v) => Math.round(v * 1e6) / 1e6), [6, 3, 0, 7, 4, 1, 8, 5, 2]);
});

// Keras's apply_affine_transform (keras/src/legacy/preprocessing/image.py), centre moved to the geometric one.
const KERAS_PY = `
import json, sys
import numpy as np, scipy.ndimage as ndi
job = json.load(sys.stdin)
h, w = job['h'], job['w']
x = np.array(job['x'], dtype=np.float64).reshape(len(job['params']), h, w)
out = []
for img, p in zip(x, job['params']):
    th, sh = np.deg2rad(p['angle']), np.deg2rad(p['shear'])
    m = np.array([[np.cos(th), -np.sin(th), 0], [np.sin(th), np.cos(th), 0], [0, 0, 1]])
    m = m @ np.array([[1, 0, p['shiftY'] * h], [0, 1, p['shiftX'] * w], [0, 0, 1]])
    m = m @ np.array([[1, -np.sin(sh), 0], [0, np.cos(sh), 0], [0, 0, 1]])
    m = m @ np.array([[p['zoomY'], 0, 0], [0, p['zoomX'], 0], [0, 0, 1]])
    o = np.array([[1, 0, (h - 1) / 2], [0, 1, (w - 1) / 2], [0, 0, 1]])
    m = o @ m @ np.linalg.inv(o)
    y = ndi.affine_transform(img, m[:2, :2], m[:2, 2], order=1, mode=job['mode'])
    if p['hflip']: y = y[:, ::-1]
    if p['vflip']: y = y[::-1, :]
    out.append(y.ravel().tolist())
print(json.dumps(out))
`;

test('same warp as Keras\'s apply_affine_transform (scipy.ndimage, order 1) for drawn parameters, nearest and reflect fill', { skip: skipWithoutPython('scipy') }, () => {
  const py = requirePython('scipy');
  const [n, h, w] = [12, 11, 9];
  const rng = new Rng(9);
  const x = Float32Array.from({ length: n * h * w }, () => rng.next());
  const params = Array.from({ length: n }, (_, i) => drawParams(3, 1, i, spec('rotation=40,zoom=0.3,shift=0.2,shear=20,hflip,vflip')));
  const tr = new Float32Array(n * 8);
  params.forEach((p, i) => tr.set(affineRow(p, h, w), i * 8));
  for (const mode of ['nearest', 'reflect'] as const) {
    const r: SpawnSyncReturns<string> = spawnSync(py, ['-c', KERAS_PY], { input: JSON.stringify({ h, w, x: Array.from(x), params, mode }), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assertClose(warpJs(x, [n, h, w, 1], tr, mode, 0), (JSON.parse(r.stdout) as number[][]).flat(), 1e-4, `keras ${mode}`);
  }
});

test('tfjs-cpu\'s own Transform kernel fills every image after the first (why convkit has its own JS warp)', () => {
  tf.setBackend('cpu');
  assert.equal(backendTransformWorks(), false);
  const shape: [number, number, number, number] = [2, 6, 6, 1];
  const { x, t } = randomCase(3, shape);
  const got = tf.image.transform(tf.tensor4d(x, shape), tf.tensor2d(t, [2, 8]), 'bilinear', 'nearest', 0).dataSync();
  const want = warpJs(x, shape, t, 'nearest', 0);
  assertClose(got.slice(0, 36), want.slice(0, 36), 1e-5, 'first image');
  assert.ok(Array.from(got.slice(36)).every((v) => v === 0), 'if this fails, tfjs fixed its Transform kernel: warp.ts can use it on cpu');
});

test('on onednn, the native Transform kernel gives the JS warp\'s values', async (t) => {
  const native = await probeNativeBackend();
  if (skipOrRequire(t, 'onednn', native.ok ? null : native.why)) return;
  await tf.setBackend('onednn');
  try {
    assert.ok(backendTransformWorks(), 'onednn registers its own Transform kernel');
    for (const fill of ['nearest', 'constant', 'reflect'] as const) {
      const shape: [number, number, number, number] = [33, 24, 24, 3];
      const { x, t: tr } = randomCase(11, shape);
      const y = affineWarp(tf.tensor4d(x, shape), tr, fill, 0.5);
      assertClose(y.dataSync(), warpJs(x, shape, tr, fill, 0.5), 1e-5, `onednn ${fill}`);
      y.dispose();
    }
  } finally {
    await tf.setBackend('cpu');
  }
});

test('augment(batch, spec, rng) on any NHWC batch: seeded, same shape, photometric changes clipped to [0, 1]', () => {
  tf.setBackend('cpu');
  const shape: [number, number, number, number] = [4, 10, 12, 3];
  const { x } = randomCase(5, shape);
  const batch = tf.tensor4d(x, shape);
  const a = augment(batch, 'fidle', new Rng(1)).dataSync();
  const b = augment(batch, { rotation: 10, zoom: 0.2, shift: 0.1, shear: 0.1 }, new Rng(1)).dataSync();
  const c = augment(batch, 'fidle', new Rng(2)).dataSync();
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const bright = applyParams(batch, Array.from({ length: 4 }, () => ({ ...IDENTITY, brightness: 2 })), FIDLE).dataSync();
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(bright[i] - Math.min(1, 2 * x[i])) < 1e-6);
  const flat = applyParams(batch, Array.from({ length: 4 }, () => ({ ...IDENTITY, contrast: 0 })), FIDLE).dataSync();
  // contrast 0: every pixel becomes its image's per-channel mean
  let mean = 0;
  for (let i = 0; i < 120; i++) mean += x[i * 3] / 120;
  assert.ok(Math.abs(flat[0] - mean) < 1e-5 && Math.abs(flat[3 * 50] - mean) < 1e-5);
  assert.deepEqual(applyParams(batch, Array.from({ length: 4 }, () => IDENTITY), FIDLE).dataSync(), x);
  const before = tf.memory().numTensors;
  augment(batch, 'fidle,brightness=0.8:1.2,contrast=0.2', new Rng(3)).dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
});
