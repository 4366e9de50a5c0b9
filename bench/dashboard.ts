// The dashboard with many runs: `node --import tsx bench/dashboard.ts [--runs 1000] [--epochs 30]`.
// Writes N synthetic run folders (config.json, status.json, metrics.jsonl, result.json; half of them in 10 batch
// folders), starts the server in this process, then measures: index time and memory, /api/runs, the runs page
// in Chromium until its table is drawn, a filter, and the delay from a status.json write to its SSE event.
// Not a test: nothing asserted.
import { promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startDashboard } from '../packages/convkit/src/web/server.js';

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : def);
const N = Number(opt('runs', '1000'));
const EPOCHS = Number(opt('epochs', '30'));

const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
const ms = (t: number) => `${t.toFixed(0)} ms`;

async function makeRuns(root: string): Promise<void> {
  const started = Date.parse('2026-11-01T00:00:00Z');
  for (let r = 0; r < N; r++) {
    const dir = r % 2 ? path.join(root, `batch-${r % 10}`, `job-${r}`) : path.join(root, `run-${r}`);
    await fs.mkdir(dir, { recursive: true });
    const lr = [0.001, 0.003, 0.01][r % 3];
    await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ model: ['mnist-cnn', 'gtsrb-v1', 'gtsrb-v3'][r % 3], data: 'mnist:embedded', epochs: EPOCHS, optimizer: 'adam', lr, batchSize: 64, seed: r, validation: 'test', dataset: { name: r % 3 ? 'set-24x24-L.h5' : 'mnist:embedded' } }));
    const rows = [];
    for (let e = 1; e <= EPOCHS; e++) {
      const acc = 1 - 0.9 * Math.exp(-e / (3 + (r % 7)));
      rows.push(JSON.stringify({ epoch: e, loss: 2 * Math.exp(-e / 5), accuracy: acc, val_loss: 2.1 * Math.exp(-e / 5), val_accuracy: acc - 0.02, seconds: 3, images_per_s: 20000 + r, lr }));
    }
    await fs.writeFile(path.join(dir, 'metrics.jsonl'), rows.join('\n') + '\n');
    const done = r % 5 !== 0;
    await fs.writeFile(path.join(dir, 'status.json'), JSON.stringify({ state: done ? 'completed' : 'interrupted', pid: 1, host: os.hostname(), epoch: EPOCHS, epochs: EPOCHS, batch: 0, batches: 100, started: new Date(started + r * 60_000).toISOString(), updated: new Date(started + r * 60_000 + 90_000).toISOString() }));
    if (done) await fs.writeFile(path.join(dir, 'result.json'), JSON.stringify({ test_accuracy: 0.9 + (r % 10) / 100, test_loss: 0.2, epochs: EPOCHS, duration_s: 3 * EPOCHS, images_per_s: 20000 + r, backend: 'onednn', model: 'x', data: 'y' }));
  }
}

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-bench-dashboard-'));
try {
  await makeRuns(root);
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let t = performance.now();
  const d = await startDashboard({ runsDir: root, port: 0 });
  const indexMs = performance.now() - t;
  global.gc?.();
  const mem = process.memoryUsage();

  t = performance.now();
  const body = await new Promise<string>((resolve) => http.get(`${d.url}api/runs`, { headers: { Authorization: `token ${d.token}` } }, (res) => {
    let b = '';
    res.on('data', (c) => (b += c));
    res.on('end', () => resolve(b));
  }));
  const apiMs = performance.now() - t;

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  await page.goto(d.loginUrl); // sets the dashboard's cookie
  page.on('pageerror', (e) => console.error('page error:', e.message));
  const loads: number[] = [];
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    await page.goto(d.url);
    await page.waitForFunction((n) => document.querySelector('#runs tbody')?.getAttribute('data-matching') === String(n), N);
    loads.push(performance.now() - t);
  }
  const heap = await page.evaluate(() => (performance as any).memory?.usedJSHeapSize ?? 0);
  t = performance.now();
  await page.fill('#filter', '/^batch-3\\/job-\\d*3 /');
  await page.waitForFunction((n) => Number(document.querySelector('#runs tbody')?.getAttribute('data-matching')) < n, N);
  const filterMs = performance.now() - t;
  const shown = await page.$eval('#runs tbody', (e) => Number(e.getAttribute('data-matching')));
  t = performance.now();
  await page.click('th[data-key="bestValAccuracy"]');
  await page.fill('#filter', '');
  await page.waitForFunction((n) => document.querySelector('#runs tbody')?.getAttribute('data-matching') === String(n), N);
  const sortMs = performance.now() - t;
  const drawMs = Number(await page.evaluate(() => document.body.dataset.drawMs));

  // status.json write → row updated on the open page (fs.watch → summary → SSE → redraw); the row is brought into view by a filter
  await page.fill('#filter', 'batch-1/job-1 ');
  const target = path.join(root, 'batch-1', 'job-1', 'status.json');
  const st = JSON.parse(await fs.readFile(target, 'utf8'));
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    const state = i % 2 ? 'completed' : 'failed';
    t = performance.now();
    await fs.writeFile(target + '.tmp', JSON.stringify({ ...st, state }));
    await fs.rename(target + '.tmp', target);
    await page.waitForSelector(`tr[data-id="batch-1/job-1"][data-state="${state}"]`);
    delays.push(performance.now() - t);
  }
  await browser.close();
  await d.close();

  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  console.log(`dashboard with ${N} runs (${EPOCHS} epochs each; ${os.cpus()[0].model}, ${os.cpus().length} cores; ${date} UTC)`);
  console.log(`| measure | value |\n|---|---:|`);
  console.log(`| index ${N} runs at start (read config/status/result/metrics of each, one watch per folder) | ${ms(indexMs)} |`);
  console.log(`| server RSS after indexing (growth over the bare process) | ${mb(mem.rss)} (+${mb(mem.rss - rss0)}) |`);
  console.log(`| GET /api/runs | ${ms(apiMs)}, ${(body.length / 1024).toFixed(0)} KiB |`);
  console.log(`| runs page load until the table is drawn (first 200 of ${N} rows) (Chromium; first, then reloads) | ${loads.map(ms).join(', ')} |`);
  console.log(`| page JS heap | ${mb(heap)} |`);
  console.log(`| regex filter (${shown} rows left) | ${ms(filterMs)} |`);
  console.log(`| sort by best val accuracy + clear filter (${N} rows, 200 drawn) | ${ms(sortMs)} |`);
  console.log(`| of which the page's own filter + sort + row building (last draw) | ${drawMs.toFixed(1)} ms |`);
  console.log(`| status.json rename → row updated on the open page (5 writes) | ${delays.map(ms).join(', ')} |`);
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
