import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { gtsrbFixtureDir, mnistFixtureDir } from '../../test-support/paths.js';
import { indexGtsrb } from '../datasets/gtsrb.js';
import { readIdxPair } from '../datasets/idx.js';
import { readImage } from '../datasets/image-file.js';
import { PREPARE_MODES } from './modes.js';
import { modelInput } from './model-input.js';
import type { RawImage } from './raw-image.js';
import { toSize } from './to-size.js';
import { toSizeJs } from './to-size-js.js';
import { predictionInput } from '../train/inference.js';

// The try-it panel runs modelInput with toSizeJs in the page; `convkit predict` runs it with sharp. Prepared modes are
// one code (equal bit for bit); the plain path's resize is re-implemented, so it is measured on real images.

/** Largest and mean absolute difference, in 8-bit levels. */
function diff(a: ArrayLike<number>, b: ArrayLike<number>, unit = 1): { max: number; mean: number } {
  assert.equal(a.length, b.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) * unit;
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

/** A digit drawn as the panel's pad holds it: RGBA 280×280, white round strokes on black (a 7 and a bar). */
function drawnDigit(): RawImage {
  const W = 280;
  const data = new Uint8Array(W * W * 4);
  const near = (x: number, y: number, [x0, y0, x1, y1]: number[]) => {
    const t = Math.max(0, Math.min(1, ((x - x0) * (x1 - x0) + (y - y0) * (y1 - y0)) / ((x1 - x0) ** 2 + (y1 - y0) ** 2)));
    return Math.hypot(x - x0 - t * (x1 - x0), y - y0 - t * (y1 - y0)) < 11;
  };
  for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) data.set(near(x, y, [80, 70, 200, 70]) || near(x, y, [200, 70, 120, 230]) || near(x, y, [110, 150, 180, 150]) ? [255, 255, 255, 255] : [0, 0, 0, 255], (y * W + x) * 4);
  return { data, width: W, height: W, channels: 4 };
}

test('the page sees an image as convkit predict does: prepared modes bit for bit, the plain resize within 16 levels of 255', async () => {
  const ix = await indexGtsrb(gtsrbFixtureDir);
  const photos = await Promise.all(ix.test.slice(0, 12).map((s) => readImage(s.file)));
  for (const img of photos) {
    for (const mode of PREPARE_MODES) {
      const c = mode.startsWith('RGB') ? 3 : 1;
      assert.deepEqual(await modelInput(img, { mode }, 24, 24, c, toSizeJs), await predictionInput(img, { mode }, 24, 24, c), mode);
    }
  }
  // without a prepared set: sharp (libvips Lanczos-3, grey in linear light) against its re-implementation
  const d = await readIdxPair(path.join(mnistFixtureDir, 't10k-images-idx3-ubyte.gz'), path.join(mnistFixtureDir, 't10k-labels-idx1-ubyte.gz'));
  const digit: RawImage = { data: Uint8Array.from(d.x.subarray(0, 784)), width: 28, height: 28, channels: 1 };
  assert.deepEqual(await modelInput(digit, undefined, 28, 28, 1, toSizeJs), await predictionInput(digit, undefined, 28, 28, 1));
  assert.deepEqual(await modelInput(digit, undefined, 28, 28, 1, toSizeJs, true), await predictionInput(digit, undefined, 28, 28, 1, true));
  const cases: [string, RawImage, number, 1 | 3][] = [
    ['drawn 280→28 grey', drawnDigit(), 28, 1],
    ['mnist 28→84 enlarged', digit, 84, 1],
    ...photos.flatMap((img, i): [string, RawImage, number, 1 | 3][] => [[`gtsrb ${i} →24 grey`, img, 24, 1], [`gtsrb ${i} →48 RGB`, img, 48, 3], [`gtsrb ${i} →20 RGB`, img, 20, 3]]),
  ];
  let worst = { max: 0, mean: 0, name: '' };
  for (const [name, img, size, c] of cases) {
    const want = await toSize(img, size, size, c);
    const got = toSizeJs(img, size, size, c);
    const r = diff(got, want);
    if (r.max > worst.max) worst = { ...r, name };
    assert.ok(r.max <= 16 && r.mean <= 0.5, `${name}: ${r.max} levels at most, ${r.mean.toFixed(3)} on average`);
    // and through modelInput, as the page calls it
    const m = diff(await modelInput(img, undefined, size, size, c, toSizeJs), await predictionInput(img, undefined, size, size, c), 255);
    assert.ok(Math.abs(m.max - r.max) < 1e-3);
  }
  process.stderr.write(`toSizeJs vs sharp: worst case ${worst.name}: ${worst.max} levels, mean ${worst.mean.toFixed(3)}\n`);

  // transparency (sharp premultiplies around the resize): a GTSRB photo fading out to the left. Where the resized alpha
  // is 0 the colour is invisible and may differ fully (one pixel of 24×24 measured), so only the mean is bounded here.
  const img = photos[0];
  const n = img.width * img.height;
  const rgba = new Uint8Array(n * 4);
  for (let p = 0; p < n; p++) {
    rgba.set(img.data.subarray(p * 3, p * 3 + 3), p * 4);
    rgba[p * 4 + 3] = Math.round(((p % img.width) / (img.width - 1)) * 255);
  }
  const faded: RawImage = { data: rgba, width: img.width, height: img.height, channels: 4 };
  assert.deepEqual(toSizeJs(faded, img.height, img.width, 3), await toSize(faded, img.height, img.width, 3), 'no resize: alpha dropped, colours kept');
  for (const [size, c] of [[24, 1], [24, 3], [48, 3]] as const) {
    const r = diff(toSizeJs(faded, size, size, c), await toSize(faded, size, size, c));
    assert.ok(r.mean <= 1, `transparent →${size}×${c}: mean ${r.mean.toFixed(3)} levels`);
  }
});
