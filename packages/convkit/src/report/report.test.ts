import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { chromium, type Browser } from 'playwright-core';
import { requireTool } from '../../../../scripts/required-tools.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../../test-support/chromium.js';
import { gtsrbFixtureDir } from '../../test-support/paths.js';
import { runCli } from '../../test-support/cli.js';
import { loadDataset } from '../datasets/index.js';
import { loadModel } from '../models/io.js';
import { prepareGtsrb } from '../prepare/gtsrb.js';
import { makeBatch } from '../train/batches.js';
import { evaluateRun } from '../train/inference.js';
import { trainRun } from '../train/run.js';
import { analyseRun } from './analysis.js';
import type { RunAnalysis } from './analysis-types.js';

// A small real GTSRB run: the in-repo GTSRB fixture prepared at 24×24 L (258 train, 100 test images), gtsrb-v1 for 2 epochs,
// and a 1-epoch run scored on 60 of the test images (--limit-test) to compare with. Artefacts (HTML, screenshots) stay in `out` for a human to look at.

let out: string;
let data: string;
let run2: string; // 2 epochs
let run1: string; // 1 epoch
let counts: number[]; // test images per class
let testY: Int32Array;
let browser: Browser;

// The CLI runs in a child process: the test runner reads this process's stdout, which an in-process CLI would borrow.
const convkit = (...args: string[]) => runCli(args);
const quiet = () => {};

before(async () => {
  out = process.env.CONVKIT_TEST_OUT ? path.resolve(process.env.CONVKIT_TEST_OUT) : await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-report-'));
  await fs.mkdir(out, { recursive: true });
  await prepareGtsrb({ root: gtsrbFixtureDir, out: path.join(out, 'data'), sizes: [24], modes: ['L'] });
  data = path.join(out, 'data', 'set-24x24-L.h5');
  run2 = path.join(out, 'run-2ep');
  run1 = path.join(out, 'run-1ep');
  // validation: 'test' — these tests compare what training logged on the test split with the analysis of the same images.
  await trainRun({ model: 'gtsrb-v1', data, epochs: 2, validation: 'test', out: run2, progress: 'none', force: true }, { log: quiet });
  await trainRun({ model: 'gtsrb-v1', data, epochs: 1, seed: 7, limitTest: 60, validation: 'test', out: run1, progress: 'none', force: true }, { log: quiet });
  const ds = await loadDataset(data);
  testY = ds.test.y;
  counts = new Array(ds.numClasses).fill(0);
  for (const y of testY) counts[y]++;
  requireTool('chromium');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  if (out) process.stderr.write(`report test artefacts: ${out}\n`);
});

async function openReport(file: string, shot: string) {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('request', (req) => !/^(file|data):/.test(req.url()) && problems.push(`network request ${req.url()}`));
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.screenshot({ path: shot, fullPage: true });
  return { page, problems };
}

test('analysis: confusion rows sum to the test class counts; trace / total and the loss are evaluate\'s', async () => {
  const a = await analyseRun(run2, { log: quiet });
  assert.equal(a.confusion.length, 43);
  assert.deepEqual(a.confusion.map((row) => row.reduce((s, v) => s + v, 0)), counts);
  const trace = a.confusion.reduce((s, row, i) => s + row[i], 0);
  const e = await evaluateRun(run2);
  assert.equal(e.count, testY.length);
  assert.equal(a.test.count, e.count);
  assert.equal(trace / a.test.count, e.test_accuracy);
  assert.equal(a.test.accuracy, e.test_accuracy);
  assert.ok(Math.abs(a.test.loss - e.test_loss) < 1e-9, `${a.test.loss} vs ${e.test_loss}`);
  assert.equal(a.errors.count, a.test.count - trace);
  for (const r of a.perClass) {
    const col = a.confusion.reduce((s, row) => s + row[r.class], 0);
    assert.equal(r.count, counts[r.class]);
    assert.equal(r.predicted, col);
    assert.equal(r.recall, r.count ? a.confusion[r.class][r.class] / r.count : 0);
  }
  // A run trained with --limit-test is scored on that subset, by evaluate, result.json and the report alike.
  const one = await analyseRun(run1, { log: quiet });
  const e1 = await evaluateRun(run1);
  const r1 = JSON.parse(await fs.readFile(path.join(run1, 'result.json'), 'utf8'));
  // the stratified subset of the fixture's 100 test images is 60 give or take the per-class rounding; the run records it
  const limited = JSON.parse(await fs.readFile(path.join(run1, 'config.json'), 'utf8')).dataset.testCount;
  assert.ok(Math.abs(limited - 60) <= 3, `--limit-test 60 kept ${limited}`);
  assert.equal(one.test.count, limited);
  assert.equal(e1.count, limited);
  assert.equal(one.test.accuracy, e1.test_accuracy);
  assert.equal(one.test.accuracy, r1.test_accuracy);
  assert.equal(one.confusion.flat().reduce((s, v) => s + v, 0), limited);
  assert.equal(a.classes[14].name, 'Stop');
  assert.ok(a.classes.every((c) => c.image?.startsWith('data:image/png;base64,')), 'every class has its meta sign');
  assert.equal(a.history.epochs.length, 2);
  const best = a.history.best.val_accuracy;
  assert.equal(best.value, Math.max(...a.history.epochs.map((r) => r.val_accuracy!)));
  // conv (before its ReLU) → ReLU → pool, twice: gtsrb-v1's layers on a 24×24×1 image.
  const layers = a.featureMaps[0].layers.map((l) => `${l.className}${l.activation ? ` ${l.activation}` : ''} ${l.height}x${l.width}x${l.channels}`);
  assert.deepEqual(layers, ['Conv2D linear 22x22x96', 'Conv2D relu 22x22x96', 'MaxPooling2D 11x11x96', 'Conv2D linear 9x9x192', 'Conv2D relu 9x9x192', 'MaxPooling2D 4x4x192']);
});

test('analysis.json: reused while the checkpoint is unchanged, recomputed when it changes or is corrupt', async () => {
  const dir = path.join(out, 'run-cache');
  await fs.cp(run2, dir, { recursive: true });
  await fs.rm(path.join(dir, 'analysis.json'), { force: true });
  const first = await analyseRun(dir, { log: quiet });
  const again = await analyseRun(dir, { log: quiet });
  assert.equal(again.created, first.created, 'second call read analysis.json');
  // Corrupt cache: one warning, recomputed, rewritten whole.
  await fs.writeFile(path.join(dir, 'analysis.json'), '{"format": "convkit-analysis/1", "confusion": [[1, 2');
  const logs: string[] = [];
  const fixed = await analyseRun(dir, { log: (m) => logs.push(m) });
  assert.match(logs.join('\n'), /analysis\.json is unreadable; recomputing it/);
  assert.notEqual(fixed.created, first.created);
  assert.deepEqual(fixed.confusion, first.confusion);
  assert.equal(JSON.parse(await fs.readFile(path.join(dir, 'analysis.json'), 'utf8')).created, fixed.created);
  // New weights under checkpoints/last (the 1-epoch run's): the cached analysis no longer applies.
  await fs.rm(path.join(dir, 'checkpoints', 'last'), { recursive: true });
  await fs.cp(path.join(run1, 'checkpoints', 'last'), path.join(dir, 'checkpoints', 'last'), { recursive: true });
  const changed = await analyseRun(dir, { log: quiet });
  assert.equal(changed.checkpoint.epoch, 1);
  assert.notEqual(changed.checkpoint.key, first.checkpoint.key);
});

test('--checkpoint best: the best epoch\'s weights score what training logged for that epoch (validation = test split)', async () => {
  const last = await analyseRun(run2, { log: quiet });
  const best = await analyseRun(run2, { checkpoint: 'best', log: quiet });
  // Cached apart from the last checkpoint's analysis: neither evicts the other.
  assert.equal((JSON.parse(await fs.readFile(path.join(run2, 'analysis-best.json'), 'utf8')) as RunAnalysis).created, best.created);
  assert.equal((await analyseRun(run2, { log: quiet })).created, last.created);
  assert.equal(last.checkpoint.name, 'last');
  const logged = best.history.best.val_accuracy;
  assert.equal(best.checkpoint.name, 'best');
  assert.equal(best.checkpoint.epoch, logged.epoch);
  assert.equal(best.test.accuracy, logged.value);
  // The report scores through the compiled predictor (the oneDNN plan), training's validation through tfjs-layers:
  // the same weights, float32 sums in another order.
  const loggedLoss = best.history.epochs[logged.epoch - 1].val_loss as number;
  assert.ok(Math.abs(best.test.loss - loggedLoss) <= 1e-6 * loggedLoss, `report loss ${best.test.loss} vs logged ${loggedLoss}`);
});

test('HTML report in Chromium: curves, 43×43 confusion cells, a real error first; self-contained; screenshot', async () => {
  const file = path.join(out, 'report.html');
  const r = await convkit('report', run2, '--html', file);
  assert.equal(r.code, 0, r.stderr);
  const html = await fs.readFile(file, 'utf8');
  assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)="(https?:)?\/\//i, 'no external resource');
  const { page, problems } = await openReport(file, path.join(out, 'report.png'));
  try {
    const points = await page.$$eval('.ck-curves .ck-chart', (els) => els.map((e) => [(e as HTMLElement).dataset.group, (e as any).uplot.data[0].length]));
    assert.deepEqual(points, [['loss', 2], ['accuracy', 2], ['lr', 2]]);
    // Redrawn from raw metrics.jsonl rows as the dashboard does at each epoch: same charts, one more point.
    const live = await page.evaluate(() => {
      const w = window as any;
      const el = document.createElement('div');
      document.body.append(el);
      const rows = w.convkitData.history.epochs;
      w.convkitViews.renderCurves(el, rows.slice(0, 1));
      const before = [el.querySelectorAll('.ck-chart').length, (el.querySelector('.ck-chart') as any).uplot.data[0].length];
      w.convkitViews.renderCurves(el, rows);
      const after = [el.querySelectorAll('.ck-chart').length, (el.querySelector('.ck-chart') as any).uplot.data[0].length];
      el.remove();
      return [before, after];
    });
    assert.deepEqual(live, [[3, 1], [3, 2]]);
    const cells = await page.$$eval('td.ck-cell', (tds) => tds.map((td) => [Number((td as HTMLElement).dataset.true), Number((td as HTMLElement).dataset.pred), Number((td as HTMLElement).dataset.count)]));
    assert.equal(cells.length, 43 * 43);
    const rows = new Array(43).fill(0);
    for (const [t, , n] of cells) rows[t] += n;
    assert.deepEqual(rows, counts);
    assert.equal(rows.reduce((s, v) => s + v, 0), testY.length);
    // The toggle redraws shares of each row.
    await page.click('.ck-toggle button[data-mode="normalised"]');
    assert.equal(await page.$eval('table.ck-confusion', (t) => (t as HTMLElement).dataset.mode), 'normalised');
    // The first card of the gallery: the test image at its index is of class data-true, and the trained model,
    // run here on its own, predicts data-pred for it, which is not data-true.
    const first = await page.$eval('.ck-error', (e) => ({ ...(e as HTMLElement).dataset, label: e.querySelector('.ck-label')!.textContent }) as Record<string, string | null | undefined>);
    const index = Number(first.index);
    assert.equal(Number(first.true), testY[index]);
    assert.notEqual(first.pred, first.true);
    assert.equal(first.label, `${first.pred} (${first.true})`);
    const model = await loadModel(path.join(run2, 'model'));
    const ds = await loadDataset(data);
    const { xs, ys } = makeBatch(ds.test, [index], 0, 1, { height: 24, width: 24, channels: 1, numClasses: 43 });
    const pred = tf.tidy(() => tf.argMax(model.predict(xs) as tf.Tensor, -1).dataSync()[0]);
    tf.dispose([xs, ys]);
    model.dispose();
    assert.equal(pred, Number(first.pred));
    // The per-class table sorts by a clicked column (accuracies: highest first).
    await page.click('.ck-per-class th[data-key="recall"]');
    const recalls = await page.$$eval('.ck-per-class tr[data-class]', (trs) => trs.map((tr) => Number((tr as HTMLElement).dataset.class)));
    const a = JSON.parse(await fs.readFile(path.join(run2, 'analysis.json'), 'utf8')) as RunAnalysis;
    const byRecall = recalls.map((c) => a.perClass[c].recall);
    assert.equal(recalls.length, 43);
    assert.deepEqual(byRecall, [...byRecall].sort((x, y) => y - x));
    assert.equal(await page.$$eval('.ck-fm-sample', (e) => e.length), 3);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('on validation: result.json\'s val_per_class / val_confusions (here validation = the test split) match the analysis; the text and HTML reports show them', async () => {
  const result = JSON.parse(await fs.readFile(path.join(run2, 'result.json'), 'utf8'));
  const a = await analyseRun(run2, { log: quiet });
  assert.equal(result.val_per_class.length, 43);
  assert.deepEqual(result.val_per_class.map((c: { count: number }) => c.count), counts, 'validation is the test split: its class counts');
  assert.deepEqual(result.val_per_class.map((c: { recall: number | null }) => c.recall), a.perClass.map((r) => (r.count ? r.recall : null)), 'the same weights: the same recalls as the analysis of the test split');
  const correct = result.val_per_class.reduce((s: number, c: { count: number; recall: number | null }) => s + (c.recall ?? 0) * c.count, 0);
  assert.ok(Math.abs(correct / testY.length - result.test_accuracy) < 1e-9);
  assert.ok(result.val_confusions.length > 0 && result.val_confusions.length <= 10);
  for (const p of result.val_confusions) assert.equal(p.count, a.confusion[p.true][p.predicted], `${p.true} → ${p.predicted}`);
  const worst = Math.max(...a.confusion.flatMap((row, t) => row.filter((_, p) => p !== t)));
  assert.equal(result.val_confusions[0].count, worst, 'most frequent first');
  assert.ok(a.validation, 'the analysis carries them');

  const text = await convkit('report', run2);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /weakest classes on validation:\n.*class.*recall/);
  assert.match(text.stdout, /most frequent confusions on validation:\n.*true.*predicted as/);
  const file = path.join(out, 'report-validation.html');
  assert.equal((await convkit('report', run2, '--html', file)).code, 0);
  const { page, problems } = await openReport(file, path.join(out, 'report-validation.png'));
  try {
    const sec = await page.$eval('section#validation', (e) => ({ heads: [...e.querySelectorAll('h3')].map((x) => x.textContent), rows: e.querySelectorAll('.ck-validation-errors > table tr').length, pairs: e.querySelectorAll('.ck-top-confusions tr').length, thumbs: e.querySelectorAll('img.ck-thumb').length }));
    assert.deepEqual(sec.heads, ['Weakest classes on validation', 'Most frequent confusions on validation']);
    assert.equal(sec.rows, 1 + 10);
    assert.equal(sec.pairs, 1 + result.val_confusions.length);
    assert.ok(sec.thumbs >= 10, 'class signs beside the names');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('comparison of two runs in Chromium: table, overlaid curves, per-class side by side', async () => {
  const file = path.join(out, 'compare.html');
  const r = await convkit('report', run2, run1, '--html', file);
  assert.equal(r.code, 0, r.stderr);
  const { page, problems } = await openReport(file, path.join(out, 'compare.png'));
  try {
    assert.equal(await page.$$eval('table.ck-compare-table tr[data-run]', (e) => e.length), 2);
    const overlay = await page.$$eval('.ck-compare .ck-chart', (els) => els.map((e) => [(e as HTMLElement).dataset.metric, (e as any).uplot.data.length - 1, (e as any).uplot.data[0].length]));
    assert.deepEqual(overlay, [['val_accuracy', 2, 2], ['val_loss', 2, 2]]);
    assert.equal(await page.$$eval('table.ck-compare-classes tr[data-class]', (e) => e.length), 43);
    const a2 = JSON.parse(await fs.readFile(path.join(run2, 'analysis.json'), 'utf8')) as RunAnalysis;
    const a1 = JSON.parse(await fs.readFile(path.join(run1, 'analysis.json'), 'utf8')) as RunAnalysis;
    const bestRow = a2.test.accuracy >= a1.test.accuracy ? run2 : run1;
    const highlighted = await page.$eval(`table.ck-compare-table tr[data-run="${bestRow}"] td:nth-child(5)`, (td) => td.classList.contains('ck-best'));
    assert.ok(highlighted, 'the better test accuracy is highlighted');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
  // A batch output (OUT/results.jsonl, OUT/runs/<job>/): --html compares its finished runs, an unfinished one is left out.
  const batch = path.join(out, 'batch');
  await fs.mkdir(path.join(batch, 'runs', 'c-unfinished'), { recursive: true });
  await fs.writeFile(path.join(batch, 'results.jsonl'), '');
  await fs.cp(run2, path.join(batch, 'runs', 'a'), { recursive: true });
  await fs.cp(run1, path.join(batch, 'runs', 'b'), { recursive: true });
  const bfile = path.join(out, 'batch.html');
  const b = await convkit('report', batch, '--html', bfile);
  assert.equal(b.code, 0, b.stderr);
  const html = await fs.readFile(bfile, 'utf8');
  const data = JSON.parse(html.match(/<script type="application\/json" id="convkit-data">(.*?)<\/script>/s)![1]) as RunAnalysis[];
  assert.deepEqual(data.map((r) => path.basename(r.run)), ['a', 'b']);
});

test('bad input: one line, exit 2, no HTML under the final name', async () => {
  const html = path.join(out, 'bad.html');
  // A run that has not finished an epoch: config.json but no checkpoint.
  const early = path.join(out, 'run-early');
  await fs.mkdir(early, { recursive: true });
  await fs.copyFile(path.join(run2, 'config.json'), path.join(early, 'config.json'));
  await assert.rejects(analyseRun(early, { log: quiet }), { message: `${path.join(early, 'checkpoints', 'last')}: no finished checkpoint: checkpoints/last is missing or incomplete; no epoch has finished yet` });
  // A checkpoint whose weights were damaged.
  const torn = path.join(out, 'run-torn');
  await fs.cp(run1, torn, { recursive: true });
  await fs.rm(path.join(torn, 'analysis.json'), { force: true });
  const w = path.join(torn, 'checkpoints', 'last', 'weights.bin');
  await fs.truncate(w, 1000);
  await assert.rejects(analyseRun(torn, { log: quiet }), { message: new RegExp(`^${w}: truncated or corrupt: 1000 bytes, manifest.json says \\d+$`) });
  // A run whose data file has gone since training: through the CLI, for the exit code and the one line.
  const gone = path.join(out, 'run-data-gone');
  await fs.cp(run1, gone, { recursive: true });
  await fs.rm(path.join(gone, 'analysis.json'), { force: true });
  const moved = path.join(out, 'moved.h5');
  await fs.copyFile(data, moved);
  const cfg = JSON.parse(await fs.readFile(path.join(gone, 'config.json'), 'utf8'));
  await fs.writeFile(path.join(gone, 'config.json'), JSON.stringify({ ...cfg, data: moved }));
  await fs.rm(moved);
  let r = await convkit('report', gone, '--html', html);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `convkit: error: ${moved}: the run's data is gone (named by ${path.join(gone, 'config.json')} "data")\n`);
  // Not a run at all.
  r = await convkit('report', out, '--html', html);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `convkit: error: ${out}: not a convkit run folder (config.json missing)\n`);
  assert.ok(!existsSync(html), 'no HTML written');
  assert.deepEqual((await fs.readdir(out)).filter((n) => n.includes('.tmp-')), [], 'no temporary left');
});
