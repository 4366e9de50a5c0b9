import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gtsrbFixtureDir } from '../../test-support/paths.js';
import { readH5Dataset } from '../datasets/hdf5.js';
import { preparedGtsrbSet } from '../prepare/cache.js';
import { classSignUri, splitImageUri } from './images.js';

/** The standard deviation of a PNG data URI's grey levels (sharp decodes it): a black or flat square has almost none. */
async function spread(uri: string): Promise<number> {
  const { default: sharp } = await import('sharp');
  const { data } = await sharp(Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64')).greyscale().raw().toBuffer({ resolveWithObject: true });
  const mean = data.reduce((a, b) => a + b, 0) / data.length;
  return Math.sqrt(data.reduce((a, b) => a + (b - mean) ** 2, 0) / data.length);
}

test('class signs of a 24×24 L set read: every class\'s thumbnail has contrast (σ of grey levels ≥ 30), where the stored images of some are near-flat', { timeout: 5 * 60_000 }, async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-signs-'));
  const saved = process.env.CONVKIT_HOME;
  process.env.CONVKIT_HOME = dir;
  try {
    for (const mode of ['L', 'RGB'] as const) {
      const set = await readH5Dataset((await preparedGtsrbSet(gtsrbFixtureDir, { size: 24, mode, roi: false, seed: 42 })).file);
      const meta = set.meta!;
      assert.equal(meta.count, 43);
      const raw: number[] = [];
      const signs: number[] = [];
      for (let i = 0; i < meta.count; i++) {
        raw.push(await spread(await splitImageUri(meta, i, set.height, set.width, set.channels)));
        const uri = await classSignUri(meta, i, set.height, set.width, set.channels);
        const { default: sharp } = await import('sharp');
        const m = await sharp(Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64')).metadata();
        assert.deepEqual([m.width, m.height, m.channels], [64, 64, mode === 'L' ? 1 : 3], `class ${meta.y[i]}: a 64×64 thumbnail in the set's colour mode`);
        signs.push(await spread(uri));
      }
      // Measured on the fixture's 24×24 L set: stored images down to σ = 4 (a black square), thumbnails ≥ 33.
      assert.ok(raw.some((s) => s < 15), `${mode}: some stored meta images are near-flat (σ ${Math.min(...raw).toFixed(1)} < 15 grey levels): the check can fail`);
      assert.ok(signs.every((s) => s >= 30), `${mode}: every thumbnail's grey levels have σ ≥ 30 (smallest ${Math.min(...signs).toFixed(1)}, class ${meta.y[signs.indexOf(Math.min(...signs))]})`);
    }
  } finally {
    if (saved === undefined) delete process.env.CONVKIT_HOME;
    else process.env.CONVKIT_HOME = saved;
    await fs.rm(dir, { recursive: true, force: true });
  }
});
