import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { copyOfficial } from '../../test-fixtures/gtsrb-copy.js';
import { toSize } from '../image/to-size.js';
import { GTSRB_DIRECT_SIZE } from './gtsrb-folder.js';
import { indexGtsrb, readGtsrbImage } from './gtsrb.js';
import { loadDataset } from './index.js';

test('--data gtsrb:ROOT and a bare GTSRB folder load as 32×32 RGB with train, test and meta splits in CSV order', async () => {
  const root = await copyOfficial([2, 4], 6);
  try {
    const a = await loadDataset(`gtsrb:${root}`);
    const b = await loadDataset(path.join(root, 'GTSRB'));
    const ix = await indexGtsrb(root);
    for (const d of [a, b]) {
      assert.deepEqual([d.height, d.width, d.channels, d.numClasses], [GTSRB_DIRECT_SIZE, GTSRB_DIRECT_SIZE, 3, 43]);
      assert.deepEqual(Array.from(d.train.y), ix.train.map((s) => s.classId));
      assert.deepEqual(Array.from(d.test.y), ix.test.map((s) => s.classId));
      assert.deepEqual(Array.from(d.meta!.y), [2, 4]);
      assert.equal(d.train.x.length, ix.train.length * GTSRB_DIRECT_SIZE ** 2 * 3);
    }
    const k = 7;
    const expected = await toSize(await readGtsrbImage(ix.train[k]), GTSRB_DIRECT_SIZE, GTSRB_DIRECT_SIZE, 3);
    const px = GTSRB_DIRECT_SIZE ** 2 * 3;
    assert.deepEqual(a.train.x.subarray(k * px, (k + 1) * px), expected);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
