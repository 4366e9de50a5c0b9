import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { requireTool } from '../../../../scripts/required-tools.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../../test-support/chromium.js';
import { runCli } from '../../test-support/cli.js';
import { readRecords, type JobRecord } from '../batch/results.js';
import type { ScalingChart } from '../report/scaling.js';
import { startDashboard, type Dashboard } from './server.js';

// A tiny real batch (mnist:embedded, two zoo models × limit-train [2%, 10%] × 2 seeds, 1 epoch): the report's
// accuracy-against-training-set-size chart is checked against the batch's own records, as JSON, in the HTML report
// and in the dashboard's compare view (real Chromium). Screenshots stay in `out` (printed at the end).

let out: string;
let batchOut: string;
let records: JobRecord[];
let browser: Browser;
let d: Dashboard | undefined;
const problems: string[] = [];

before(async () => {
  out = process.env.CONVKIT_TEST_OUT ? path.resolve(process.env.CONVKIT_TEST_OUT) : await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-scaling-'));
  await fs.mkdir(out, { recursive: true });
  batchOut = path.join(out, 'batch');
  await fs.rm(batchOut, { recursive: true, force: true });
  const config = path.join(out, 'scaling.yaml');
  await fs.writeFile(
    config,
    `name: tiny-scaling\nout: ${JSON.stringify(batchOut)}\ndatasets: [mnist:embedded]\nmodels: [mnist-dnn, mnist-cnn]\nrepeats: 2\ngrid:\n  limit-train: [2%, 10%]\ntrain:\n  epochs: 1\n  batch-size: 32\n  limit-test: 200\n`,
  );
  // two jobs at once (one thread each): the test's wall time halves on two cores, the work stays the same
  const r = await runCli(['batch', 'run', config, '--parallel', '2'], { timeoutMs: 15 * 60_000 });
  assert.equal(r.code, 0, r.stderr);
  records = await readRecords(batchOut);
  assert.equal(records.length, 8);
  requireTool('chromium');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await d?.close();
  if (out) process.stderr.write(`scaling test artefacts: ${out}\n`);
});

/** What the chart must show: per model and size, the test accuracies of its two seeds, from results.jsonl. */
function expected(): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const r of records) {
    const key = `${r.model_label} ${r.train_count}`;
    m.set(key, [...(m.get(key) ?? []), r.test_accuracy!]);
  }
  return m;
}

function checkChart(chart: ScalingChart): void {
  assert.equal(chart.dataset, 'mnist:embedded');
  assert.deepEqual(chart.sizes, [160, 800], '2 % and 10 % of the 8,000 embedded training images');
  assert.deepEqual(chart.lines.map((l) => [l.family, l.colour]), [['mnist-cnn', 0], ['mnist-dnn', 1]], 'sorted by name, one colour each');
  const want = expected();
  for (const l of chart.lines) {
    assert.deepEqual(l.points.map((p) => [p.trainCount, p.limit]), [[160, '2%'], [800, '10%']]);
    for (const p of l.points) {
      const accs = want.get(`${l.family} ${p.trainCount}`)!;
      assert.equal(accs.length, 2);
      assert.deepEqual([...p.accuracies].sort(), [...accs].sort());
      assert.equal(p.min, Math.min(...accs));
      assert.equal(p.max, Math.max(...accs));
      assert.ok(Math.abs(p.mean - (accs[0] + accs[1]) / 2) < 1e-12);
    }
  }
}

/** The chart as the page drew it: x values and each line's y values, from its uPlot. */
async function drawn(page: Page): Promise<{ dataset: string; x: number[]; ys: (number | null)[][]; labels: string[]; rows: number }[]> {
  return page.$$eval('.ck-chart.ck-scaling', (els) =>
    els.map((e) => {
      const u = (e as HTMLElement & { uplot: { data: (number | null)[][]; series: { label: string }[] } }).uplot;
      return { dataset: (e as HTMLElement).dataset.dataset!, x: u.data[0] as number[], ys: u.data.slice(1), labels: u.series.slice(1).map((s) => s.label), rows: e.querySelectorAll('.ck-scaling-table tbody tr').length };
    }),
  );
}

function checkDrawn(charts: Awaited<ReturnType<typeof drawn>>, json: ScalingChart): void {
  assert.equal(charts.length, 1);
  const [c] = charts;
  assert.equal(c.dataset, json.dataset);
  assert.deepEqual(c.x, json.sizes);
  assert.deepEqual(c.labels, json.lines.map((l) => l.family));
  assert.deepEqual(c.ys, json.lines.map((l) => l.points.map((p) => p.mean)));
  assert.equal(c.rows, 2);
}

let fromJson: ScalingChart;

test('batch with limit-train [2%, 10%]: each run records its training images; report --json has the chart', async () => {
  for (const r of records) {
    assert.equal(r.status, 'completed');
    assert.equal(r.train_count, r.variant.limitTrain === '2%' ? 160 : 800);
    const config = JSON.parse(await fs.readFile(path.join(r.run_dir, 'config.json'), 'utf8'));
    assert.equal(config.limitTrain, r.variant.limitTrain);
    assert.equal(config.dataset.trainCount, r.train_count);
  }
  const rep = await runCli(['report', batchOut, '--json']);
  assert.equal(rep.code, 0, rep.stderr);
  const { scaling } = JSON.parse(rep.stdout) as { scaling: ScalingChart[] };
  assert.equal(scaling.length, 1);
  checkChart(scaling[0]);
  fromJson = scaling[0];
  const text = await runCli(['report', batchOut, '--md', path.join(out, 'batch.md')]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /mnist:embedded: test accuracy against training images/);
  assert.match(text.stdout, /\n\s+160\s+2%\s+\d+\.\d\d % \(\d+\.\d\d–\d+\.\d\d, n=2\)/);
  assert.match(await fs.readFile(path.join(out, 'batch.md'), 'utf8'), /## mnist:embedded: accuracy against training-set size\n\n\| training images \| limit-train \| mnist-cnn \| mnist-dnn \|/);
});

test('report BATCH --html and the dashboard compare view draw the same chart (Chromium)', async () => {
  assert.ok(fromJson, 'needs the first test');
  const html = path.join(out, 'batch.html');
  const rep = await runCli(['report', batchOut, '--html', html]);
  assert.equal(rep.code, 0, rep.stderr);
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  page.on('pageerror', (e) => problems.push(`report: ${e}`));
  await page.goto(pathToFileURL(html).href);
  await page.waitForSelector('body[data-ready]');
  checkDrawn(await drawn(page), fromJson);
  await (await page.$('.ck-chart.ck-scaling'))!.screenshot({ path: path.join(out, 'report-scaling.png') });

  d = await startDashboard({ runsDir: batchOut, port: 0 });
  const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
  const login = await context.newPage();
  await login.goto(d.loginUrl);
  const cmp = await context.newPage();
  cmp.on('pageerror', (e) => problems.push(`compare: ${e}`));
  cmp.on('console', (m) => m.type() === 'error' && problems.push(`compare: ${m.text()}`));
  await cmp.goto(new URL('/compare?group=runs', d.url).href);
  await cmp.waitForSelector('body[data-ready]');
  checkDrawn(await drawn(cmp), fromJson);
  await (await cmp.$('.ck-chart.ck-scaling'))!.screenshot({ path: path.join(out, 'compare-scaling.png') });
  await cmp.screenshot({ path: path.join(out, 'compare.png'), fullPage: true });
  assert.deepEqual(problems, []);
});
