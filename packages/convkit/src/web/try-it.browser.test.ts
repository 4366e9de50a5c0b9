import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { chromium, type Browser, type Page } from 'playwright-core';
import { requireTool } from '../../../../scripts/required-tools.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../../test-support/chromium.js';
import { runCli, waitFor } from '../../test-support/cli.js';
import { gtsrbFixtureDir, mnistFixtureDir } from '../../test-support/paths.js';
import { indexGtsrb } from '../datasets/gtsrb.js';
import { readIdxPair } from '../datasets/idx.js';
import { readImage } from '../datasets/image-file.js';
import { prepareGtsrb } from '../prepare/gtsrb.js';
import { predictImages, predictionInput } from '../train/inference.js';
import type {} from './browser/try-it-api.js'; // window.convkitTryIt
import { startDashboard, type Dashboard } from './server.js';

// The run page's try-it panel in real Chromium (the flags of dashboard.browser.test.ts): a briefly trained mnist-cnn
// run's own model, loaded by tfjs in the page, classifies a digit drawn with mouse strokes and a real MNIST test image
// chosen through the file input; the page's input and probabilities are checked against `convkit predict`'s.

let out: string;
let runs: string;
let d: Dashboard;
let browser: Browser;
let page: Page;
const problems: string[] = [];
const foreign: string[] = [];

before(async () => {
  out = process.env.CONVKIT_TEST_OUT ? path.resolve(process.env.CONVKIT_TEST_OUT) : await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-try-it-'));
  runs = path.join(out, 'runs');
  await fs.rm(runs, { recursive: true, force: true });
  const r = await runCli(['train', '--model', 'mnist-cnn', '--epochs', '6', '--out', path.join(runs, 'cnn'), '--progress', 'none']);
  assert.equal(r.code, 0, r.stderr);
  requireTool('chromium');
  d = await startDashboard({ runsDir: runs, port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(120_000); // a loaded 2-core machine: the first request bundles tfjs for the page
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('request', (q) => !q.url().startsWith(d.url) && !q.url().startsWith('data:') && foreign.push(q.url()));
  await page.goto(d.loginUrl); // the cookie, as a user opening the printed address
  await page.goto(new URL('/run?id=cnn', d.url).href);
  await page.waitForSelector('body[data-ready]');
});

after(async () => {
  await browser?.close();
  await d?.close();
  if (out) process.stderr.write(`try-it test artefacts: ${out}\n`);
});

const classified = () => page.$eval('#try-body', (e) => Number((e as HTMLElement).dataset.classified ?? 0));
const last = () => page.evaluate(() => window.convkitTryIt!.last!);
const top1 = (p: number[]) => p.indexOf(Math.max(...p));

test('the model loads in the page only when the panel opens, on a backend it names', async () => {
  assert.equal(await page.evaluate(() => 'convkitTryIt' in window), false, 'tfjs is not loaded with the run page');
  await page.click('#try-open');
  await page.waitForSelector('#try-body[data-ready]');
  const backend = await page.getAttribute('#try-body', 'data-backend');
  assert.ok(backend === 'webgl' || backend === 'cpu', String(backend));
  assert.match((await page.textContent('#try-status')) ?? '', new RegExp(`runs in this page on ${backend} \\(`));
  process.stderr.write(`try-it backend: ${await page.textContent('#try-status')}\n`);
});

test('a 7 drawn with mouse strokes is classified as 7, from the same input convkit predict makes of the pad', async () => {
  const box = (await page.locator('#try-pad').boundingBox())!;
  const before = await classified();
  // one stroke: the bar and the diagonal of a 7, as a hand would draw it
  await page.mouse.move(box.x + 80, box.y + 70);
  await page.mouse.down();
  await page.mouse.move(box.x + 200, box.y + 70, { steps: 12 });
  await page.mouse.move(box.x + 120, box.y + 230, { steps: 16 });
  await page.mouse.up();
  await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('#try-body')!.dataset.classified) > n, before);
  assert.equal(await page.getAttribute('#try-body', 'data-top1'), '7');
  assert.equal(await page.$$eval('#try-top li', (e) => e.length), 5);
  assert.equal(await page.$$eval('#try-maps canvas.try-map', (e) => e.length), 8); // mnist-cnn's first conv has 8 filters
  await page.locator('#try-it').screenshot({ path: path.join(out, 'try-it-drawn.png') });
  await page.screenshot({ path: path.join(out, 'dashboard-try-it.png'), fullPage: true });

  // the pad's pixels as a PNG through convkit predict: the same input (within the re-implemented resize) and class
  const { input, probabilities } = await last();
  const png = path.join(out, 'pad.png');
  await fs.writeFile(png, Buffer.from((await page.$eval('#try-pad', (c) => (c as HTMLCanvasElement).toDataURL('image/png'))).split(',')[1], 'base64'));
  const want = await predictionInput(await readImage(png), undefined, 28, 28, 1);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - input[i]));
  assert.ok(worst <= 16 / 255, `pad: page input within ${worst * 255} levels of predict's`);
  process.stderr.write(`try-it pad: page input within ${Math.round(worst * 255)} of 255 levels of predict's\n`);
  const [cli] = await predictImages(path.join(runs, 'cnn'), [png], { topK: 1 });
  assert.equal(cli.top[0].class, 7);
  assert.equal(top1(probabilities), 7);
});

/** The first MNIST test digit (of the in-repo 500) the run classifies right, written as a PNG as a user would have it. */
async function rightDigit(): Promise<{ file: string; label: number }> {
  const mnist = await readIdxPair(path.join(mnistFixtureDir, 't10k-images-idx3-ubyte.gz'), path.join(mnistFixtureDir, 't10k-labels-idx1-ubyte.gz'));
  for (let k = 0; k < 50; k++) {
    const file = path.join(out, `mnist-test-${k}.png`);
    await sharp(Buffer.from(mnist.x.subarray(k * 784, (k + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(file);
    if ((await predictImages(path.join(runs, 'cnn'), [file], { topK: 1 }))[0].top[0].class === mnist.y[k]) return { file, label: mnist.y[k] };
  }
  assert.fail('the run classifies none of the first 50 test digits right');
}

/** Chooses `file` in the panel's file input; the page's top-1, input and probabilities are checked against convkit predict's. */
async function classifyFile(p: Page, file: string, label: number): Promise<void> {
  const before = await p.$eval('#try-body', (e) => Number((e as HTMLElement).dataset.classified ?? 0));
  await p.setInputFiles('#try-file', file);
  await p.waitForFunction((n) => Number(document.querySelector<HTMLElement>('#try-body')!.dataset.classified) > n, before);
  assert.equal(await p.getAttribute('#try-body', 'data-top1'), String(label));
  const { input, probabilities } = await p.evaluate(() => window.convkitTryIt!.last!);
  assert.deepEqual(Float32Array.from(input), await predictionInput(await readImage(file), undefined, 28, 28, 1)); // 28×28 grey: no resize, equal
  const [cli] = await predictImages(path.join(runs, 'cnn'), [file], { topK: 10 });
  for (const t of cli.top) assert.ok(Math.abs(probabilities[t.class] - t.probability) < 1e-4, `class ${t.class}: page ${probabilities[t.class]}, predict ${t.probability}`);
}

test('a real MNIST test image chosen through the file input: the same input and probabilities as convkit predict', async () => {
  const { file, label } = await rightDigit();
  await classifyFile(page, file, label);
  await page.locator('#try-it').screenshot({ path: path.join(out, 'try-it-file.png') });
});

test('a photo dropped on the panel, then pasted: colour and 3× the input size, seen as convkit predict sees it', async () => {
  const { file: digit, label } = await rightDigit();
  // a colour "photo" of the digit at 84×84, yellow on black (the page converts it to grey in linear light and
  // resizes it, as sharp does for predict)
  const photo = path.join(out, 'photo.png');
  const { data, channels } = await readImage(digit);
  const rgb = Buffer.alloc(28 * 28 * 3);
  for (let i = 0; i < 28 * 28; i++) rgb.set([data[i * channels], Math.round(data[i * channels] * 0.9), Math.round(data[i * channels] * 0.2)], i * 3);
  await sharp(rgb, { raw: { width: 28, height: 28, channels: 3 } }).resize(84, 84, { kernel: 'cubic' }).png().toFile(photo);
  assert.equal((await readImage(photo)).channels, 3);
  const want = await predictionInput(await readImage(photo), undefined, 28, 28, 1);
  const [cli] = await predictImages(path.join(runs, 'cnn'), [photo], { topK: 1 });
  assert.equal(cli.top[0].class, label);
  const bytes = [...(await fs.readFile(photo))];
  for (const how of ['drop', 'paste'] as const) {
    const before = await classified();
    await page.evaluate(([how, bytes]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes as number[])], 'photo.png', { type: 'image/png' }));
      if (how === 'drop') document.querySelector('#try-body')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      else document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, [how, bytes] as const);
    await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('#try-body')!.dataset.classified) > n, before);
    assert.equal(await page.getAttribute('#try-body', 'data-top1'), String(label), how);
    const { input } = await last();
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - input[i]));
    assert.ok(worst <= 16 / 255, `${how}: page input within ${worst * 255} levels of predict's`);
    process.stderr.write(`try-it ${how}: page input within ${Math.round(worst * 255)} of 255 levels of predict's\n`);
  }
});

test('without WebGL the panel runs on the CPU backend, says so, and gives the same answer', async () => {
  // no GPU and no SwiftShader: no WebGL at all (--disable-webgl leaves OffscreenCanvas's, which tfjs uses)
  const noGl = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--disable-software-rasterizer'] });
  try {
    const p = await (await noGl.newContext()).newPage();
    p.setDefaultTimeout(120_000);
    await p.goto(d.loginUrl);
    await p.goto(new URL('/run?id=cnn', d.url).href);
    await p.click('#try-open');
    await p.waitForSelector('#try-body[data-ready]');
    assert.equal(await p.getAttribute('#try-body', 'data-backend'), 'cpu');
    assert.match((await p.textContent('#try-status')) ?? '', /runs in this page on cpu \(CPU in JavaScript: this browser gives no WebGL context\)/);
    const { file, label } = await rightDigit();
    await classifyFile(p, file, label);
  } finally {
    await noGl.close();
  }
});

test('a GTSRB run on a prepared L-CLAHE set: a sign photo reaches its model through the same CLAHE, bit for bit', async () => {
  // a brief run on the in-repo GTSRB subset: what is checked is the input and the page's agreement with predict
  const prepared = path.join(out, 'prepared');
  await prepareGtsrb({ root: gtsrbFixtureDir, out: prepared, sizes: [24], modes: ['L-CLAHE'] });
  const r = await runCli(['train', '--model', 'gtsrb-v1', '--data', path.join(prepared, 'set-24x24-L-CLAHE.h5'), '--epochs', '1', '--out', path.join(runs, 'gtsrb'), '--progress', 'none']);
  assert.equal(r.code, 0, r.stderr);
  await waitFor('the run index to see the GTSRB run', async () => d.index.runs.get('gtsrb')?.state === 'completed', 60_000);
  const sign = await readImage((await indexGtsrb(gtsrbFixtureDir)).test[3].file);
  const photo = path.join(out, 'sign.png');
  await sharp(Buffer.from(sign.data), { raw: { width: sign.width, height: sign.height, channels: sign.channels } }).png().toFile(photo);
  const p = await page.context().newPage();
  p.setDefaultTimeout(120_000);
  await p.goto(new URL('/run?id=gtsrb', d.url).href);
  await p.click('#try-open');
  await p.waitForSelector('#try-body[data-ready]');
  assert.match((await p.textContent('#try-status')) ?? '', /input 24×24×1 \(L-CLAHE, as prepared\), 43 classes/);
  await p.setInputFiles('#try-file', photo);
  await p.waitForSelector('#try-body[data-classified]');
  const { input, probabilities } = await p.evaluate(() => window.convkitTryIt!.last!);
  assert.deepEqual(Float32Array.from(input), await predictionInput(await readImage(photo), { mode: 'L-CLAHE' }, 24, 24, 1));
  const [cli] = await predictImages(path.join(runs, 'gtsrb'), [photo], { topK: 43 });
  for (const t of cli.top) assert.ok(Math.abs(probabilities[t.class] - t.probability) < 1e-4, `class ${t.class}`);
  const top = await p.$eval('#try-top li', (li) => li.textContent ?? '');
  assert.ok(top.startsWith(`${cli.top[0].class} ${cli.top[0].name}`), top); // classes by number and name
  await p.locator('#try-it').screenshot({ path: path.join(out, 'try-it-gtsrb.png') });
  await p.close();
});

test('a vision transformer\'s run: the page registers convkit\'s layers and gives convkit predict\'s probabilities', async () => {
  const r = await runCli(['train', '--model', 'vit-tiny', '--limit-train', '500', '--limit-test', '100', '--epochs', '1', '--out', path.join(runs, 'vit'), '--progress', 'none']);
  assert.equal(r.code, 0, r.stderr);
  await waitFor('the run index to see the transformer run', async () => d.index.runs.get('vit')?.state === 'completed', 60_000);
  const mnist = await readIdxPair(path.join(mnistFixtureDir, 't10k-images-idx3-ubyte.gz'), path.join(mnistFixtureDir, 't10k-labels-idx1-ubyte.gz'));
  const file = path.join(out, 'vit-digit.png');
  await sharp(Buffer.from(mnist.x.subarray(0, 784)), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(file);
  const p = await page.context().newPage();
  p.setDefaultTimeout(120_000);
  await p.goto(new URL('/run?id=vit', d.url).href);
  await p.click('#try-open');
  await p.waitForSelector('#try-body[data-ready]');
  assert.match((await p.textContent('#try-status')) ?? '', /^vit_tiny: input 28×28×1, 10 classes/);
  await p.setInputFiles('#try-file', file);
  await p.waitForSelector('#try-body[data-classified]');
  const { probabilities } = await p.evaluate(() => window.convkitTryIt!.last!);
  const [cli] = await predictImages(path.join(runs, 'vit'), [file], { topK: 10 });
  for (const t of cli.top) assert.ok(Math.abs(probabilities[t.class] - t.probability) < 1e-4, `class ${t.class}: page ${probabilities[t.class]}, predict ${t.probability}`);
  await p.close();
});

test('the model folder is the only one served, to authenticated clients; nothing came from the network', async () => {
  const base = new URL('/api/run/model/', d.url).href;
  const get = (p: string, headers: Record<string, string> = {}) => fetch(base + p, { headers: { Authorization: `token ${d.token}`, ...headers } });
  assert.equal((await get('model.json?id=cnn')).status, 200);
  assert.equal((await fetch(base + 'model.json?id=cnn')).status, 401);
  for (const p of ['..%2Fconfig.json?id=cnn', '../config.json?id=cnn', '.hidden?id=cnn', 'model.json?id=nope', 'model.json', '%2e%2e/config.json?id=cnn']) assert.equal((await get(p)).status, 404, p);
  await fs.symlink(path.join(runs, 'cnn', 'config.json'), path.join(runs, 'cnn', 'model', 'link.json'));
  assert.equal((await get('link.json?id=cnn')).status, 404, 'a link out of model/ is not followed');
  assert.deepEqual(foreign, []);
  assert.deepEqual(problems, []);
});
