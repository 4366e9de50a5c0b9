import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { requireTool } from '../../../../scripts/required-tools.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../../test-support/chromium.js';
import { runCli } from '../../test-support/cli.js';
import { cliMain, repoRoot } from '../../test-support/paths.js';
import { startDashboard, type Dashboard } from './server.js';

// The dashboard in real Chromium over real runs: a finished mnist-cnn run (confusion matrix, convolution walk-through)
// and a live mnist-dnn `convkit train` child whose curve must grow, then stop from the page and resume from the shell.
// Screenshots stay in `out` (printed at the end) for a human to look at.

let out: string;
let runs: string;
let d: Dashboard;
let browser: Browser;
let context: BrowserContext;
let live: ChildProcess | null = null;
const problems: string[] = [];

before(async () => {
  out = process.env.CONVKIT_TEST_OUT ? path.resolve(process.env.CONVKIT_TEST_OUT) : await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-dashboard-'));
  runs = path.join(out, 'runs');
  await fs.rm(runs, { recursive: true, force: true });
  await fs.mkdir(runs, { recursive: true });
  const r = await runCli(['train', '--model', 'mnist-cnn', '--epochs', '2', '--limit-train', '2000', '--out', path.join(runs, 'cnn'), '--progress', 'none']);
  assert.equal(r.code, 0, r.stderr);
  requireTool('chromium');
  d = await startDashboard({ runsDir: runs, port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  // as a user would: open the address `convkit serve` prints once; its cookie authenticates every later page
  context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
  const login = await context.newPage();
  await login.goto(d.loginUrl);
  assert.equal(new URL(login.url()).search, '', 'the token is dropped from the address');
  await login.close();
});

after(async () => {
  if (live && live.exitCode === null) live.kill('SIGKILL');
  await browser?.close();
  await d?.close();
  if (out) process.stderr.write(`dashboard test artefacts: ${out}\n`);
});

async function open(p: string, shot?: string): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(120_000); // a loaded 2-core CI machine: the maths page loads tfjs and the dataset in the server first
  page.on('pageerror', (e) => problems.push(`${p}: ${e}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`${p}: ${m.text()}`));
  await page.goto(new URL(p, d.url).href);
  await page.waitForSelector('body[data-ready]');
  if (shot) await page.screenshot({ path: path.join(out, shot), fullPage: true });
  return page;
}

const points = (page: Page) => page.$eval('#charts', (e) => Number((e as HTMLElement).dataset.points));

test('live run: listed while running, its curve grows, Stop interrupts it (exit 130) and it resumes', async () => {
  const runsPage = await open('/');
  const dir = path.join(runs, 'sweep', 'live');
  live = spawn(process.execPath, ['--import', 'tsx', cliMain, 'train', '--model', 'mnist-dnn', '--epochs', '500', '--batch-size', '256', '--tensorboard', '--tb-batches', '--out', dir, '--progress', 'lines'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  live.stderr!.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((r) => live!.on('exit', (code) => r(code)));

  // the runs page learns of the new run over SSE, without a reload
  await runsPage.waitForSelector('tr[data-id="sweep/live"][data-state="running"]', { timeout: 120_000 });
  await runsPage.screenshot({ path: path.join(out, 'runs-live.png'), fullPage: true });

  const page = await open(`/run?id=${encodeURIComponent('sweep/live')}`);
  await page.waitForFunction(() => Number(document.getElementById('charts')?.dataset.points) >= 2, undefined, { timeout: 120_000 });
  const first = await points(page);
  await page.waitForFunction((n) => Number(document.getElementById('charts')?.dataset.points) > n + 1, first, { timeout: 120_000 });
  const grown = await points(page);
  assert.ok(grown > first + 1, `curve grew from ${first} to ${grown} points`);
  // each chart box holds a uPlot with as many x values as epochs logged so far
  const accPoints = await page.$eval('.chart[data-group="accuracy"]', (e) => Number((e as HTMLElement).dataset.points));
  assert.ok(accPoints >= grown);
  // with --tb-batches the loss chart also carries the per-batch running mean from the TensorBoard events
  await page.waitForFunction(() => Number((document.querySelector('.chart[data-group="loss"]') as HTMLElement)?.dataset.batchPoints) > 32);
  await page.screenshot({ path: path.join(out, 'run-live-epochs.png'), fullPage: true });
  // smoothing and x axis switch without errors
  await page.$eval('#smoothing', (e) => {
    (e as HTMLInputElement).value = '0.9';
    e.dispatchEvent(new Event('input'));
  });
  await page.selectOption('#xaxis', 'time');
  await page.screenshot({ path: path.join(out, 'run-live.png'), fullPage: true });

  await page.click('#stop');
  await page.waitForSelector('body[data-state="interrupted"]', { timeout: 120_000 });
  assert.equal(await exited, 130, stderr);
  await page.screenshot({ path: path.join(out, 'run-stopped.png'), fullPage: true });
  const status = JSON.parse(await fs.readFile(path.join(dir, 'status.json'), 'utf8'));
  assert.equal(status.state, 'interrupted');
  assert.match(status.message, /interrupted by SIGINT/);
  assert.match(await page.textContent('#message') ?? '', /convkit train --resume/);
  assert.ok(existsSync(path.join(dir, 'checkpoints', 'last', 'manifest.json')));

  // resumable: finish it with one more epoch from the shell; the page follows
  const resume = await runCli(['train', '--resume', dir, '--epochs', String(status.epoch + 1), '--progress', 'none']);
  assert.equal(resume.code, 0, resume.stderr);
  assert.match(resume.stderr, /resuming mnist-dnn/);
  await page.waitForSelector('body[data-state="completed"]', { timeout: 60_000 });
  await runsPage.waitForSelector('tr[data-id="sweep/live"][data-state="completed"]', { timeout: 60_000 });
  await runsPage.fill('#filter', '/^sweep\\//');
  await runsPage.waitForFunction(() => document.querySelectorAll('#runs tbody tr').length === 1);
  await runsPage.fill('#filter', '');
  const order = () => runsPage.$$eval('#runs tbody tr', (trs) => trs.map((t) => (t as HTMLElement).dataset.id));
  await runsPage.click('th[data-key="id"]'); // text columns sort ascending first
  assert.deepEqual(await order(), ['cnn', 'sweep/live']);
  await runsPage.click('th[data-key="testAccuracy"]'); // numbers descending first: the resumed dnn beats the 2-epoch cnn
  assert.deepEqual(await order(), ['sweep/live', 'cnn']);
  await runsPage.close();
  await page.close();
});

test('finished run: the confusion matrix of the reports view sums to the test set', async () => {
  const page = await open(`/run?id=cnn`);
  await page.click('#analyse');
  await page.waitForSelector('td.ck-cell', { timeout: 120_000 });
  const cells = await page.$$eval('td.ck-cell', (tds) => tds.map((t) => Number((t as HTMLElement).dataset.count)));
  assert.equal(cells.length, 100);
  const total = cells.reduce((s, v) => s + v, 0);
  assert.equal(total, 2000); // mnist:embedded's test split
  await page.screenshot({ path: path.join(out, 'run-confusion.png'), fullPage: true });
  await page.click('button[data-tab="feature maps"]');
  await page.screenshot({ path: path.join(out, 'run-feature-maps.png'), fullPage: true });
  await page.close();
});

test('convolution walk-through on a real digit: the shown window, ReLU and pooling values agree', async () => {
  const page = await open('/maths?id=cnn');
  await page.waitForSelector('#feature-maps .fmap');
  assert.equal(await page.$$eval('#feature-maps .fmap', (e) => e.length), 8); // mnist-cnn's first conv has 8 filters
  const z = Number(await page.textContent('#conv-value b'));
  const a = Number(await page.textContent('#relu-value'));
  assert.ok(Number.isFinite(z));
  assert.equal(a, Math.max(0, z));
  await page.screenshot({ path: path.join(out, 'maths-convolution.png'), fullPage: true });
  await page.click('#images canvas:nth-child(3)');
  await page.selectOption('#kernel', { label: 'vertical edges (Sobel x)' });
  await page.waitForSelector('#feature-maps .fmap');
  await page.close();
  const gd = await open('/descent', 'descent.png');
  assert.equal(await gd.$$eval('#legend [data-method]', (e) => e.length), 3);
  await gd.close();
  const cmp = await open('/compare?id=cnn,sweep/live', 'compare.png');
  // the report's comparison view (one implementation): one row per run, best of a column highlighted, run i in the
  // same colour in the table and on the overlaid curves
  assert.equal(await cmp.$$eval('.ck-compare-table tbody tr', (e) => e.length), 2);
  assert.ok((await cmp.$$eval('.ck-compare-table td.ck-best', (e) => e.length)) > 0);
  const swatches = await cmp.$$eval('.ck-compare-table tbody .ck-swatch', (e) => e.map((s) => getComputedStyle(s).backgroundColor));
  const strokes = await cmp.$eval('.ck-chart[data-metric]', (c) => ((c as HTMLElement & { uplot: { series: { stroke?: () => string }[] } }).uplot.series.slice(1).map((s) => s.stroke!())));
  assert.deepEqual(swatches.map((c) => c.replace(/\s/g, '')), strokes.map((hex) => `rgb(${[1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16)).join(',')})`));
  assert.equal(new Set(strokes).size, 2);
  await cmp.click('#per-class'); // each stopped run's analysis: per-class accuracy side by side
  await cmp.waitForSelector('#report-compare .ck-compare-classes', { timeout: 120_000 });
  await cmp.screenshot({ path: path.join(out, 'compare-per-class.png'), fullPage: true });
  await cmp.close();
  assert.deepEqual(problems, []);
});

test('datasets page: an audit written under the runs folder is listed and its page opens', async () => {
  const { runAudit } = await import('../audit/audit.js');
  await runAudit({ data: 'mnist:embedded', folds: 0, threshold: 4, out: path.join(runs, 'datasets', 'mnist-audit') });
  const { waitFor } = await import('../../test-support/cli.js');
  await waitFor('the run index to see the audit', async () => d.index.audits.has('datasets/mnist-audit'), 30_000);
  const page = await open('/datasets');
  const link = page.locator('#audits li[data-id="datasets/mnist-audit"] a');
  await link.waitFor({ timeout: 30_000 });
  assert.match((await page.locator('#audits li[data-id="datasets/mnist-audit"]').textContent()) ?? '', /8,000 training, 2,000 test images, 3 train\/test leaks/);
  await page.screenshot({ path: path.join(out, 'datasets-audit.png'), fullPage: true });
  await link.click();
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.locator('section#duplicates [data-count="leak"] b').textContent(), '3');
  await page.screenshot({ path: path.join(out, 'audit.png') });
  await page.close();
  assert.deepEqual(problems, []);
});
