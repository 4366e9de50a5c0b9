import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { copyKaggle, copyOfficial } from '../../test-fixtures/gtsrb-copy.js';
import { extended } from '../../test-support/extended.js';
import { gtsrbFixtureDir, gtsrbMiniDir } from '../../test-support/paths.js';
import { ConvkitError } from '../util/errors.js';
import { GTSRB_CLASS_NAMES, indexGtsrb, readGtsrbImage, scaledRoi } from './gtsrb.js';
import { parsePnm } from './pnm.js';

async function csvRows(file: string): Promise<string[][]> {
  return (await fs.readFile(file, 'utf8'))
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => l.split(';'));
}

test('GTSRB class names: 43, in ClassId order', () => {
  assert.equal(GTSRB_CLASS_NAMES.length, 43);
  assert.equal(GTSRB_CLASS_NAMES[14], 'Stop');
  assert.equal(GTSRB_CLASS_NAMES[0], 'Speed limit (20km/h)');
  assert.equal(GTSRB_CLASS_NAMES[42], 'End of no passing by vehicles over 3.5 metric tons');
});

// The in-repo fixture in the core suite, the whole of gtsrb-mini (2,580 + 1,290 images) in the extended group.
for (const [name, dir, opts] of [
  ['the in-repo fixture', gtsrbFixtureDir, {}],
  ['gtsrb-mini', gtsrbMiniDir, extended(gtsrbMiniDir)],
] as const) {
  test(`indexes the official layout of ${name}, from the folder holding GTSRB/ or from GTSRB/ itself`, opts, () => indexesOfficialLayout(dir));
}

async function indexesOfficialLayout(root: string): Promise<void> {
  const gtsrbDir = path.join(root, 'GTSRB');
  const a = await indexGtsrb(root);
  const b = await indexGtsrb(gtsrbDir);
  assert.equal(a.layout, 'official');
  assert.equal(a.root, b.root);
  assert.equal(a.train.length, b.train.length);
  const dirs = (await fs.readdir(path.join(gtsrbDir, 'Final_Training', 'Images'))).sort();
  let rows = 0;
  for (const d of dirs) rows += (await csvRows(path.join(gtsrbDir, 'Final_Training', 'Images', d, `GT-${d}.csv`))).length;
  const testRows = await csvRows(path.join(gtsrbDir, 'Final_Test', 'GT-final_test.csv'));
  assert.equal(a.train.length, rows);
  assert.equal(a.test.length, testRows.length);
  assert.equal(a.skipped.length, 0);
  // every training sample lies in the folder of its own class
  for (const s of a.train) assert.equal(path.basename(path.dirname(s.file)), String(s.classId).padStart(5, '0'));
  // the test CSV row 2 is the first image, with its CSV values
  const [name, w, h, x1, y1, x2, y2, cls] = testRows[0];
  assert.deepEqual(
    { file: path.basename(a.test[0].file), width: a.test[0].width, height: a.test[0].height, classId: a.test[0].classId, line: a.test[0].line },
    { file: name, width: Number(w), height: Number(h), classId: Number(cls), line: 2 },
  );
  assert.deepEqual(a.test[0].roi, { x1: Number(x1), y1: Number(y1), x2: Number(x2), y2: Number(y2) });
  // one meta picture per class, from the first track of that class, the largest of it
  assert.deepEqual(
    a.meta.map((m) => m.classId),
    dirs.map(Number),
  );
  for (const m of a.meta) {
    const track = a.train.filter((s) => s.classId === m.classId && path.basename(s.file).startsWith(path.basename(m.file).split('_')[0] + '_'));
    assert.equal(m.width * m.height, Math.max(...track.map((s) => s.width * s.height)));
  }
}

test('reads a PPM as RGB and crops its ROI scaled to the real size when the CSV size differs', async () => {
  const ix = await indexGtsrb(gtsrbFixtureDir);
  const s = ix.train[0];
  const full = await readGtsrbImage(s);
  const raw = parsePnm(new Uint8Array(await fs.readFile(s.file)), s.file);
  assert.equal(full.channels, 3);
  assert.deepEqual([full.width, full.height], [raw.width, raw.height]);
  assert.notEqual(full.width, s.width, 'the fixture keeps gtsrb-mini\'s quirk: files resized after the CSVs were written');
  const roi = await readGtsrbImage(s, { roi: true });
  const x1 = Math.round((s.roi.x1 * full.width) / s.width);
  const x2 = Math.round((s.roi.x2 * full.width) / s.width);
  const y1 = Math.round((s.roi.y1 * full.height) / s.height);
  const y2 = Math.round((s.roi.y2 * full.height) / s.height);
  assert.deepEqual(scaledRoi(s, full.width, full.height), { x1, y1, x2, y2 });
  assert.deepEqual([roi.width, roi.height], [x2 - x1, y2 - y1]);
  for (const [x, y] of [
    [0, 0],
    [roi.width - 1, roi.height - 1],
    [3, 5],
  ]) {
    for (let c = 0; c < 3; c++) assert.equal(roi.data[(y * roi.width + x) * 3 + c], full.data[((y + y1) * full.width + x + x1) * 3 + c]);
  }
  // same size in CSV and file: the ROI is taken as written
  assert.deepEqual(scaledRoi({ width: 40, height: 30, roi: { x1: 5, y1: 6, x2: 35, y2: 25 } }, 40, 30), { x1: 5, y1: 6, x2: 35, y2: 25 });
});

test('reads ASCII PPM (P3) and JPEG files as well', async (t) => {
  const ix = await indexGtsrb(gtsrbFixtureDir);
  const s = ix.train[5];
  const binary = await readGtsrbImage(s);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-p3-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const values = Array.from(binary.data).join(' ');
  const p3 = path.join(dir, 'a.ppm');
  await fs.writeFile(p3, `P3\n# ascii copy\n${binary.width} ${binary.height}\n255\n${values}\n`);
  const ascii = await readGtsrbImage({ ...s, file: p3 });
  assert.deepEqual(ascii.data, binary.data);
  const jpg = path.join(dir, 'a.jpg');
  await sharp(Buffer.from(binary.data), { raw: { width: binary.width, height: binary.height, channels: 3 } }).jpeg({ quality: 95 }).toFile(jpg);
  const decoded = await readGtsrbImage({ ...s, file: jpg });
  assert.deepEqual([decoded.width, decoded.height, decoded.channels], [binary.width, binary.height, 3]);
  let diff = 0;
  for (let i = 0; i < decoded.data.length; i++) diff += Math.abs(decoded.data[i] - binary.data[i]);
  assert.ok(diff / decoded.data.length < 8, `JPEG close to the original (mean abs diff ${diff / decoded.data.length})`);
});

test('finds GT-final_test.csv in Final_Test/Images/ or where --test-gt says, and fails naming it when absent', async (t) => {
  const root = await copyOfficial([0, 1], 12);
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const gt = path.join(root, 'GTSRB', 'Final_Test', 'GT-final_test.csv');
  await fs.rename(gt, path.join(root, 'GTSRB', 'Final_Test', 'Images', 'GT-final_test.csv'));
  assert.equal((await indexGtsrb(root)).test.length, 12);
  const elsewhere = path.join(root, 'gt.csv');
  await fs.rename(path.join(root, 'GTSRB', 'Final_Test', 'Images', 'GT-final_test.csv'), elsewhere);
  await assert.rejects(indexGtsrb(root), (e: ConvkitError) => e instanceof ConvkitError && e.file === gt && /missing CSV/.test(e.reason));
  assert.equal((await indexGtsrb(root, { testGt: elsewhere })).test.length, 12);
});

test('indexes the Kaggle layout (comma CSVs with a Path column, PNG files, Meta pictograms over white)', async (t) => {
  const root = await copyKaggle([1, 14], 3, 5);
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const ix = await indexGtsrb(root);
  assert.equal(ix.layout, 'kaggle');
  assert.deepEqual(
    ix.train.map((s) => s.classId),
    [1, 1, 1, 14, 14, 14],
  );
  assert.equal(ix.test.length, 5);
  assert.deepEqual(
    ix.meta.map((s) => s.classId),
    [1, 14],
  );
  // the PNG holds the same pixels as the PPM it was made from
  const official = await indexGtsrb(gtsrbFixtureDir);
  const ppm = official.train.find((s) => s.classId === 1 && path.basename(s.file) === path.basename(ix.train[0].file).replace('.png', '.ppm'))!;
  assert.deepEqual((await readGtsrbImage(ix.train[0], { roi: true })).data, (await readGtsrbImage(ppm, { roi: true })).data);
  // Meta pictograms with alpha 0.5 come out as RGB blended halfway towards white
  const meta = await readGtsrbImage(ix.meta[0]);
  const first = await readGtsrbImage(ppm);
  assert.equal(meta.channels, 3);
  assert.ok(Math.abs(meta.data[0] - (first.data[0] * 0.5 + 127.5)) <= 1.5, `blended ${meta.data[0]} from ${first.data[0]}`);
});
