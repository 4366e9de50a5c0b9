// `convkit audit` end to end on real GTSRB images with planted problems (issue 23's "done when"), and its parts on the
// in-repo fixtures.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { CHROMIUM, CHROMIUM_ARGS } from '../../test-support/chromium.js';
import { runCli } from '../../test-support/cli.js';
import { extended } from '../../test-support/extended.js';
import { gtsrbFixtureDir, gtsrbMiniDir } from '../../test-support/paths.js';
import { parsePnm } from '../datasets/pnm.js';
import type { AuditReport } from './audit-types.js';
import { findDuplicates } from './duplicates.js';
import { loadAuditData } from './load.js';
import { hammingAt, HASH_WORDS, pairsWithin, perceptualHash } from './phash.js';
import { assessQuality } from './quality.js';

const SHAPE = { height: 32, width: 32, channels: 3 };

describe('perceptual hash and duplicates (fixtures)', () => {
  test('the hash ignores brightness and contrast; pairsWithin finds exactly the pairs a full comparison finds', async () => {
    const d = await loadAuditData(`gtsrb:${gtsrbFixtureDir}`);
    const lum = new Float64Array(32 * 32);
    const { luminanceOf } = await import('./load.js');
    const a = perceptualHash(luminanceOf(d.train, 5, 32, 32, 3, lum), 32, 32);
    const darker = perceptualHash(
      lum.map((v) => 0.3 * v + 0.01),
      32,
      32,
    );
    assert.deepEqual(Array.from(darker), Array.from(a));
    // every pair within 30 bits, found by bands, against the n² loop
    const n = d.train.count;
    const hashes = new Uint32Array(n * HASH_WORDS);
    for (let i = 0; i < n; i++) perceptualHash(luminanceOf(d.train, i, 32, 32, 3, lum), 32, 32, hashes, i * HASH_WORDS);
    const found = new Set<string>();
    pairsWithin(hashes, 30, (i, j, dist) => {
      assert.ok(i < j && dist === hammingAt(hashes, i, j));
      const key = `${i},${j}`;
      assert.ok(!found.has(key), `pair ${key} reported twice`);
      found.add(key);
    });
    const all = new Set<string>();
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (hammingAt(hashes, i, j) <= 30) all.add(`${i},${j}`);
    assert.ok(all.size > 10, `only ${all.size} pairs within 30 bits: the check would prove little`);
    assert.deepEqual([...found].sort(), [...all].sort());
  });

  test('a test image copied into train is an exact leak; a darkened image is flagged dark', async () => {
    const d = await loadAuditData(`gtsrb:${gtsrbFixtureDir}`);
    const per = 32 * 32 * 3;
    const x = new Uint8Array(d.train.x);
    x.set(d.test.x.subarray(7 * per, 8 * per), 3 * per); // train 3 := test 7
    d.train.digests[3] = d.test.digests[7];
    for (let k = 11 * per; k < 12 * per; k++) x[k] = Math.round(x[k] * 0.02);
    const train = { ...d.train, x };
    const dup = findDuplicates(train, d.test, SHAPE);
    assert.ok(dup.pairs.some((p) => p.kind === 'leak' && p.exact && p.indices[0] === 3 && p.indices[1] === 7), JSON.stringify(dup.pairs.slice(0, 5)));
    const q = assessQuality(train, d.test, SHAPE);
    assert.ok(q.dark.images.some((im) => im.split === 'train' && im.index === 11), `dark: ${JSON.stringify(q.dark.images.slice(0, 5))}`);
    assert.ok(q.dark.threshold! > 0 && q.dark.threshold! < q.dark.median!);
  });
});

describe('convkit audit on sets held in one file', () => {
  test('a prepared .h5 set (tracks kept, images named by index) and mnist:embedded (no sizes: tiny skipped)', async () => {
    const { runAudit } = await import('./audit.js');
    const { prepareGtsrb } = await import('../prepare/gtsrb.js');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-audit-h5-'));
    try {
      await prepareGtsrb({ root: gtsrbFixtureDir, out: dir, sizes: [24], modes: ['L'], workers: 1 });
      const h5 = await runAudit({ data: path.join(dir, 'set-24x24-L.h5'), folds: 0, json: path.join(dir, 'a.json') });
      const written = JSON.parse(await fs.readFile(path.join(dir, 'a.json'), 'utf8')) as AuditReport;
      assert.equal(written.data.kind, 'hdf5');
      assert.deepEqual([written.data.height, written.data.channels, written.data.train, written.data.test, written.data.tracks], [24, 1, 258, 100, true]);
      assert.ok(written.duplicate_search.tracks && written.duplicate_search.tracks.tracks === 86, JSON.stringify(written.duplicate_search.tracks));
      assert.ok(written.quality.dark.images.every((im) => im.file === `${im.split} index ${im.index}`));
      assert.match(written.quality.tiny.skipped ?? '', /unknown/);
      assert.equal(h5.report.classes.counts.length, 43);
      const m = await runAudit({ data: 'mnist:embedded', folds: 0 });
      assert.equal(m.report.data.kind, 'image-set');
      assert.equal(m.report.data.tracks, false);
      assert.equal(m.report.duplicate_search.tracks, null);
      assert.deepEqual(m.files, []);
      assert.equal(m.report.classes.counts.reduce((s, c) => s + c.train + c.test, 0), m.report.data.train + m.report.data.test);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('convkit audit: bad input', () => {
  test('--out with --json, a second argument after anything but gtsrb, a bad --threshold: one line, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['audit', `gtsrb:${gtsrbFixtureDir}`, '--folds', '0', '--out', os.tmpdir(), '--json', path.join(os.tmpdir(), 'x.json')], /either --out or --json/],
      [['audit', 'mnist', 'extra'], /only `gtsrb ROOT` takes two/],
      [['audit', `gtsrb:${gtsrbFixtureDir}`, '--threshold', '-1'], /--threshold/],
      [['audit', path.join(os.tmpdir(), 'no-such-set.h5'), '--folds', '0'], /no-such-set\.h5: file not found/],
    ];
    for (const [args, want] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      // one line (commander's own errors add its "(run with --help for usage)" hint)
      const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with --help'));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], want);
    }
  });
});

/** A copy of gtsrb-mini with planted problems, each list naming the files as the audit reports them. */
interface Planted {
  root: string;
  /** [copy in train, original in test] */
  copies: [string, string][];
  /** [re-encoded copy in train, original in test] */
  nearCopies: [string, string][];
  /** [file now filed under `wrong`, its true class] */
  misfiled: { file: string; wrong: number; truth: number }[];
  darkened: string[];
}

async function readCsvRows(file: string): Promise<{ header: string; rows: string[][] }> {
  const lines = (await fs.readFile(file, 'utf8')).split(/\r?\n/).filter((l) => l.trim());
  return { header: lines[0], rows: lines.slice(1).map((l) => l.split(';')) };
}

async function writeCsvRows(file: string, header: string, rows: string[][]): Promise<void> {
  await fs.writeFile(file, [header, ...rows.map((r) => r.join(';'))].join('\r\n') + '\r\n');
}

/**
 * Copies gtsrb-mini and plants: 10 test images copied into the training folders of their class, 10 test images
 * re-encoded (JPEG quality 90, 0.9× brightness, saved as PNG) into them too, 10 training images moved to the folder
 * of another class (renamed so that no track id collides), and 10 training images darkened in place to 5 % (about 4
 * stops: GTSRB has many underexposed frames, so an image must come out nearly black to be darker than the set's own
 * dark tail — at 15 %, half of these are still within it).
 */
async function plant(dir: string): Promise<Planted> {
  await fs.cp(gtsrbMiniDir, dir, { recursive: true });
  const base = path.join(dir, 'GTSRB');
  const train = (c: number) => path.join(base, 'Final_Training', 'Images', String(c).padStart(5, '0'));
  const csvOf = (c: number) => path.join(train(c), `GT-${String(c).padStart(5, '0')}.csv`);
  const test = await readCsvRows(path.join(base, 'Final_Test', 'GT-final_test.csv'));
  const out: Planted = { root: dir, copies: [], nearCopies: [], misfiled: [], darkened: [] };
  for (let k = 0; k < 20; k++) {
    const row = test.rows[37 + 61 * k];
    const cls = Number(row[7]);
    const src = path.join(base, 'Final_Test', 'Images', row[0]);
    const csv = await readCsvRows(csvOf(cls));
    const near = k >= 10;
    const name = `00097_${String(k).padStart(5, '0')}.${near ? 'png' : 'ppm'}`;
    const dest = path.join(train(cls), name);
    if (!near) {
      await fs.copyFile(src, dest);
      out.copies.push([dest, src]);
    } else {
      const img = parsePnm(new Uint8Array(await fs.readFile(src)), src);
      const jpeg = await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } }).linear(0.9, 0).jpeg({ quality: 90 }).toBuffer();
      await sharp(jpeg).png().toFile(dest);
      out.nearCopies.push([dest, src]);
    }
    await writeCsvRows(csvOf(cls), csv.header, [...csv.rows, [name, ...row.slice(1)]]);
  }
  // misfiled: image 13 of track 0 of class c → folder of class (c + 17) % 43, under a new track number
  for (let k = 0; k < 10; k++) {
    const from = 2 + 4 * k;
    const to = (from + 17) % 43;
    const fromCsv = await readCsvRows(csvOf(from));
    const row = fromCsv.rows.find((r) => r[0] === '00000_00013.ppm')!;
    const name = `00098_${String(k).padStart(5, '0')}.ppm`;
    await fs.rename(path.join(train(from), row[0]), path.join(train(to), name));
    await writeCsvRows(
      csvOf(from),
      fromCsv.header,
      fromCsv.rows.filter((r) => r !== row),
    );
    const toCsv = await readCsvRows(csvOf(to));
    await writeCsvRows(csvOf(to), toCsv.header, [...toCsv.rows, [name, ...row.slice(1, 7), String(to)]]);
    out.misfiled.push({ file: path.join(train(to), name), wrong: to, truth: from });
  }
  // darkened: image 20 of track 1 of 10 classes, pixels × 0.05
  for (let k = 0; k < 10; k++) {
    const file = path.join(train(1 + 4 * k), '00001_00020.ppm');
    const img = parsePnm(new Uint8Array(await fs.readFile(file)), file);
    const header = Buffer.from(`P6\n${img.width} ${img.height}\n255\n`);
    await fs.writeFile(file, Buffer.concat([header, Buffer.from(img.data.map((v) => Math.round(v * 0.05)))]));
    out.darkened.push(file);
  }
  return out;
}

describe('convkit audit on gtsrb-mini with planted problems', () => {
  const need = extended(gtsrbMiniDir);
  let tmp: string;
  let planted: Planted;
  let report: AuditReport;
  let stderr = '';

  before(async () => {
    if (need.skip) return;
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-audit-'));
    planted = await plant(path.join(tmp, 'data'));
    const r = await runCli(['audit', 'gtsrb', planted.root, '--out', path.join(tmp, 'audit')], { timeoutMs: 1_800_000 });
    stderr = r.stderr;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /train\/test leaks/);
    report = JSON.parse(await fs.readFile(path.join(tmp, 'audit', 'audit.json'), 'utf8'));
  });
  after(async () => {
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  test('stable keys; progress went to stderr', need, () => {
    for (const k of ['duplicates', 'label_suspects', 'quality', 'classes']) assert.ok(k in report, k);
    for (const k of ['dark', 'low_contrast', 'blurred', 'tiny'] as const) assert.ok('threshold' in report.quality[k] && 'measure' in report.quality[k], k);
    assert.match(stderr, /convkit audit: reading train/);
    assert.equal(report.data.train, 2580 + 20);
    assert.equal(report.classes.counts.reduce((s, c) => s + c.train, 0), 2600);
  });

  test('≥ 9 of the 10 copied test images are listed as exact train/test duplicates', need, () => {
    const leaks = report.duplicates.filter((p) => p.kind === 'leak');
    const found = planted.copies.filter(([copy, orig]) => leaks.some((p) => p.exact && p.files[0] === copy && p.files[1] === orig));
    assert.ok(found.length >= 9, `found ${found.length}/10 copies among ${leaks.length} leaks`);
  });

  test('≥ 8 of the 10 re-encoded copies (JPEG 90, 0.9× brightness) are listed as near-duplicate leaks', need, () => {
    const leaks = report.duplicates.filter((p) => p.kind === 'leak');
    const found = planted.nearCopies.filter(([copy, orig]) => leaks.some((p) => !p.exact && p.files[0] === copy && p.files[1] === orig));
    assert.ok(found.length >= 8, `found ${found.length}/10 re-encoded copies`);
  });

  test('≥ 9 of the 10 darkened images are flagged dark', need, () => {
    const dark = new Set(report.quality.dark.images.map((im) => im.file));
    const found = planted.darkened.filter((f) => dark.has(f));
    assert.ok(found.length >= 9, `found ${found.length}/10 darkened images among ${dark.size} dark ones (threshold ${report.quality.dark.threshold})`);
  });

  test('≥ 6 of the 10 misfiled images are among the 50 strongest label suspects', need, () => {
    assert.equal(report.label_search?.by_group, false, 'folds by image (the default)');
    const top = report.label_suspects.slice(0, 50);
    const found = planted.misfiled.filter((m) => top.some((s) => s.file === m.file && s.given === m.wrong));
    assert.ok(found.length >= 6, `found ${found.length}/10 misfiled images among the top 50: ${JSON.stringify(top.slice(0, 10))}`);
  });

  test('the HTML page renders in Chromium: no console error, every section, the leaks with their thumbnails', need, async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => !r.url().startsWith('file:') && !r.url().startsWith('data:') && errors.push(`network request: ${r.url()}`));
      await page.goto(`file://${path.join(tmp, 'audit', 'audit.html')}`);
      await page.waitForSelector('body[data-ready="true"]');
      for (const id of ['duplicates', 'label-suspects', 'quality', 'classes']) assert.equal(await page.locator(`section#${id}`).count(), 1, id);
      assert.equal(await page.locator('[data-count="leak"] b').textContent(), String(report.duplicate_search.counts.leak));
      const leakCards = page.locator('.ck-pair[data-kind="leak"]');
      assert.ok((await leakCards.count()) >= 18);
      // thumbnails are inline PNGs that decoded
      const widths = await page.locator('.ck-pair[data-kind="leak"] img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
      assert.ok(widths.length >= 36 && widths.every((w) => w === 32), JSON.stringify(widths.slice(0, 8)));
      assert.ok((await page.locator('[data-check="Dark"] .ck-flagged').count()) >= 9);
      assert.equal(await page.locator('#class-counts tbody tr').count(), 43);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
});
