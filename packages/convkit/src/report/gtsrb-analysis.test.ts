import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { copyKaggle } from '../../test-fixtures/gtsrb-copy.js';
import { extended } from '../../test-support/extended.js';
import { gtsrbFixtureDir, gtsrbMiniDir } from '../../test-support/paths.js';
import { GTSRB_CLASS_NAMES, indexGtsrb, readGtsrbImage } from '../datasets/gtsrb.js';
import { analyseGtsrb, histogram } from './gtsrb-analysis.js';

test('histogram: bins of a round width, every value counted once, the maximum in the last bin', () => {
  const train = [15, 20, 31, 250, 99.5];
  const test = [17, 250];
  const h = histogram(train, test, 24);
  assert.equal(h.edges.length, h.train.length + 1);
  assert.equal(h.train.reduce((a, b) => a + b, 0), train.length);
  assert.equal(h.test.reduce((a, b) => a + b, 0), test.length);
  assert.ok(h.edges[0] <= 15 && h.edges[h.edges.length - 1] >= 250);
  assert.equal(h.train[h.train.length - 1], 1);
  assert.equal(h.test[h.test.length - 1], 1);
  const single = histogram([32, 32], [32]);
  assert.deepEqual([single.train, single.test], [[2], [1]]);
});

// The in-repo fixture (6 training images per class) in the core suite, gtsrb-mini in the extended group.
for (const [name, root, opts] of [
  ['the GTSRB fixture', gtsrbFixtureDir, {}],
  ['gtsrb-mini', gtsrbMiniDir, extended(gtsrbMiniDir)],
] as const) {
  test(`analyse ${name}: summary.json agrees with the CSVs and the files, report.html is self-contained`, opts, () => analyseAgrees(root));
}

async function analyseAgrees(root: string): Promise<void> {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-analyse-'));
  try {
    const summary = await analyseGtsrb(root, { out, samplesPerClass: 4 });
    const ix = await indexGtsrb(root);
    assert.deepEqual(JSON.parse(await fs.readFile(path.join(out, 'summary.json'), 'utf8')), summary);
    assert.deepEqual(summary.counts, { train: ix.train.length, test: ix.test.length, meta: 43, classes: 43 });
    for (const c of summary.classes) {
      assert.equal(c.name, GTSRB_CLASS_NAMES[c.id]);
      assert.equal(c.train, ix.train.filter((s) => s.classId === c.id).length);
      assert.equal(c.test, ix.test.filter((s) => s.classId === c.id).length);
    }
    // CSV sizes are the originals; the files all have the size of the first one (a resized copy)
    const csvWidths = ix.train.map((s) => s.width);
    assert.equal(summary.sizes.csv.width.train.min, Math.min(...csvWidths));
    assert.equal(summary.sizes.csv.width.train.max, Math.max(...csvWidths));
    const first = await readGtsrbImage(ix.train[0]);
    for (const m of [summary.sizes.file.width.train, summary.sizes.file.width.test]) assert.deepEqual([m.min, m.max], [first.width, first.width]);
    for (const m of [summary.sizes.file.height.train, summary.sizes.file.height.test]) assert.deepEqual([m.min, m.max], [first.height, first.height]);
    assert.equal(summary.size_mismatch.train, ix.train.filter((s) => s.width !== first.width || s.height !== first.height).length);
    assert.ok(summary.size_mismatch.train > 0);
    for (const src of [summary.sizes.csv, summary.sizes.file]) {
      for (const m of [src.width, src.height, src.ratio, src.area]) {
        assert.equal(m.histogram.train.reduce((a, b) => a + b, 0), ix.train.length);
        assert.equal(m.histogram.test.reduce((a, b) => a + b, 0), ix.test.length);
      }
    }
    const html = await fs.readFile(path.join(out, 'report.html'), 'utf8');
    assert.doesNotMatch(html, /(src|href)="(https?:|\/\/|file:)/);
    assert.doesNotMatch(html, /<script|<link/);
    const images = html.match(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]+"/g) ?? [];
    assert.equal(images.length, 43 * 4 + 43 + 43, 'a 4-sample row and a meta sign per class, plus the meta grid');
    for (const name of GTSRB_CLASS_NAMES) assert.ok(html.includes(name.replace(/&/g, '&#38;')), name);
    assert.ok((html.match(/<svg /g) ?? []).length >= 9, 'class chart + 8 size histograms');
  } finally {
    await fs.rm(out, { recursive: true, force: true });
  }
}

test('analyse a Kaggle-layout folder: Meta pictograms are shown, file sizes read from the PNGs', async () => {
  const root = await copyKaggle([3, 9], 4, 6);
  const out = path.join(root, 'analysis');
  try {
    const summary = await analyseGtsrb(root, { out });
    assert.equal(summary.layout, 'kaggle');
    assert.equal(summary.counts.train, 8);
    assert.equal(summary.counts.test, 6);
    assert.equal(summary.counts.meta, 2);
    assert.equal(summary.sizes.file.width.train.max, 32);
    const html = await fs.readFile(path.join(out, 'report.html'), 'utf8');
    assert.match(html, /pictograms of Meta\.csv/);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
