import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gtsrbFixtureDir, mnistFixtureDir } from '../../test-support/paths.js';
import { indexGtsrb } from '../datasets/gtsrb.js';
import { readH5Dataset } from '../datasets/hdf5.js';
import { readImage } from '../datasets/image-file.js';
import { readIdxPair } from '../datasets/idx.js';
import { prepareGtsrb } from '../prepare/gtsrb.js';
import { predictionInput } from './inference.js';

test('predict sees an image as the model was trained: the same resize and colour mode as the `convkit prepare` set', async () => {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-predict-'));
  try {
    await prepareGtsrb({ root: gtsrbFixtureDir, out, sizes: [24], modes: ['L-CLAHE', 'RGB-HE'] });
    const first = (await indexGtsrb(gtsrbFixtureDir)).test[0];
    const img = await readImage(first.file);
    for (const [mode, channels] of [['L-CLAHE', 1], ['RGB-HE', 3]] as const) {
      const set = await readH5Dataset(path.join(out, `set-24x24-${mode}.h5`));
      assert.equal(set.preparation?.mode, mode);
      const want = (set.test.x as Float32Array).subarray(0, 24 * 24 * channels);
      const got = await predictionInput(img, set.preparation, 24, 24, channels);
      assert.equal(got.length, want.length);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
      assert.ok(worst < 1e-6, `${mode}: largest difference ${worst} from the prepared test image`);
    }
  } finally {
    await fs.rm(out, { recursive: true, force: true });
  }
});

test('without a prepared set, a 28×28 grey digit reaches the model as its pixels / 255 (inverted with --invert)', async () => {
  const d = await readIdxPair(path.join(mnistFixtureDir, 't10k-images-idx3-ubyte.gz'), path.join(mnistFixtureDir, 't10k-labels-idx1-ubyte.gz'));
  const px = d.x.subarray(0, 784);
  const img = { data: Uint8Array.from(px), width: 28, height: 28, channels: 1 as const };
  assert.deepEqual(await predictionInput(img, undefined, 28, 28, 1), Float32Array.from(px, (v) => v / 255));
  assert.deepEqual(await predictionInput(img, undefined, 28, 28, 1, true), Float32Array.from(px, (v) => (255 - v) / 255));
});
