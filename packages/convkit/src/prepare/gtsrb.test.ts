import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { indexGtsrb, readGtsrbImage } from '../datasets/gtsrb.js';
import { readH5Dataset } from '../datasets/hdf5.js';
import { trainRun } from '../train/run.js';
import { applyMode } from '../image/modes.js';
import { prepareGtsrb } from './gtsrb.js';
import { resizeImage } from '../image/resize.js';
import { decodeSample } from './worker.js';
import { h5pyJson, runCli } from '../../test-support/prepare.js';
import { requirePython, skipWithoutPython } from '../../test-support/python.js';
import { extended } from '../../test-support/extended.js';
import { gtsrbFixtureDir, gtsrbMiniDir } from '../../test-support/paths.js';

const fixture = gtsrbFixtureDir;

async function tmpDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'convkit-prep-'));
}

/** A small official-layout copy of the fixture with classes 0–2 only (train and test), to break on purpose. */
async function smallCopy(): Promise<string> {
  const root = await tmpDir();
  const src = path.join(fixture, 'GTSRB');
  const dst = path.join(root, 'GTSRB');
  for (const c of ['00000', '00001', '00002']) await fs.cp(path.join(src, 'Final_Training/Images', c), path.join(dst, 'Final_Training/Images', c), { recursive: true });
  const gt = (await fs.readFile(path.join(src, 'Final_Test/GT-final_test.csv'), 'utf8')).split(/\r?\n/).filter(Boolean);
  const keep = [gt[0], ...gt.slice(1).filter((l) => ['0', '1', '2'].includes(l.split(';')[7]))];
  await fs.mkdir(path.join(dst, 'Final_Test/Images'), { recursive: true });
  await fs.writeFile(path.join(dst, 'Final_Test/GT-final_test.csv'), keep.join('\n') + '\n');
  for (const l of keep.slice(1)) await fs.copyFile(path.join(src, 'Final_Test/Images', l.split(';')[0]), path.join(dst, 'Final_Test/Images', l.split(';')[0]));
  for (const f of await fs.readdir(path.join(dst, 'Final_Training/Images/00001'))) await fs.chmod(path.join(dst, 'Final_Training/Images/00001', f), 0o644);
  return root;
}

const h5Files = async (dir: string) => (await fs.readdir(dir).catch(() => [] as string[])).filter((f) => f.includes('.h5'));

// On the in-repo fixture (6 training images per class) in the core suite, on gtsrb-mini (60 per class) in the extended group.
for (const [name, root, scale, perClassKept, opts] of [
  ['the GTSRB fixture', fixture, 0.5, 3, {}],
  ['gtsrb-mini', gtsrbMiniDir, 0.1, 6, extended(gtsrbMiniDir)],
] as const) {
  test(`prepare ${name} at 24 (L, RGB-HE) with --scale ${scale}, read back with h5py, then train 1 epoch on the .h5`, opts, (t) => prepareReadTrain(t, root, scale, perClassKept));
}

async function prepareReadTrain(t: TestContext, root: string, scale: number, perClassKept: number): Promise<void> {
  const out = await tmpDir();
  const r = await runCli(['prepare', 'gtsrb', root, '--size', '24', '--mode', 'L,RGB-HE', '--scale', String(scale), '--seed', '7', '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual((await fs.readdir(out)).sort(), ['set-24x24-L.h5', 'set-24x24-RGB-HE.h5'], 'two files, no temporary left');
  const index = await indexGtsrb(root);
  // --scale keeps a stratified part: perClassKept of each class's training images
  assert.equal(report.files[0].train, Math.round(index.train.length * scale));
  assert.ok(Math.abs(report.files[0].test - index.test.length * scale) <= 43);

  const L = await readH5Dataset(path.join(out, 'set-24x24-L.h5'));
  assert.deepEqual([L.height, L.width, L.channels, L.numClasses], [24, 24, 1, 43]);
  const perClass = new Array(43).fill(0);
  for (const y of L.train.y) perClass[y]++;
  assert.ok(perClass.every((n) => n === perClassKept), `stratified: ${perClass}`);
  let sorted = true;
  for (let i = 1; i < L.train.count; i++) if (L.train.y[i] < L.train.y[i - 1]) sorted = false;
  assert.ok(!sorted, 'training set is shuffled');
  // pixels went through the worker pool: the meta image of class 5 must equal the in-process pipeline
  const k = 5;
  const img = await readGtsrbImage(index.meta[k]);
  assert.deepEqual(L.meta!.x.subarray(k * 576, (k + 1) * 576), applyMode('L', resizeImage(img, 24, 24), 24, 24));
  const HE = await readH5Dataset(path.join(out, 'set-24x24-RGB-HE.h5'));
  assert.equal(HE.channels, 3);
  assert.deepEqual(HE.train.y, L.train.y, 'all variants share one order');

  await t.test('h5py reads the RGB-HE set', { skip: skipWithoutPython('h5py') }, () => {
    const py = requirePython('h5py');
    const info = h5pyJson(
      py,
      `import h5py, json, sys
f = h5py.File(sys.argv[1], 'r')
x = f['x_train'][:]
print(json.dumps({'shape': list(x.shape), 'dtype': str(x.dtype), 'min': float(x.min()), 'max': float(x.max()),
  'test': list(f['x_test'].shape), 'meta': list(f['x_meta'].shape), 'y': f['y_train'][:20].tolist(),
  'mode': f.attrs['mode'], 'size': f.attrs['size'].tolist(), 'classes': len(f.attrs['class_names']),
  'version': f.attrs['convkit_version'], 'created': f.attrs['created'], 'source': f.attrs['source']}))`,
      path.join(out, 'set-24x24-RGB-HE.h5'),
    );
    assert.deepEqual(info.shape, [L.train.count, 24, 24, 3]);
    assert.equal(info.dtype, 'float32');
    assert.ok(info.min >= 0 && info.max <= 1 && info.max > 0.9, `${info.min}..${info.max}`);
    assert.deepEqual(info.test, [L.test.count, 24, 24, 3]);
    assert.deepEqual(info.meta, [43, 24, 24, 3]);
    assert.deepEqual(info.y, Array.from(L.train.y.subarray(0, 20)));
    assert.equal(info.mode, 'RGB-HE');
    assert.deepEqual(info.size, [24, 24]);
    assert.equal(info.classes, 43);
    assert.ok(info.version && !Number.isNaN(Date.parse(info.created)) && info.source.includes(path.basename(root)));
  });

  const run = path.join(out, 'run');
  const res = await trainRun(
    { model: 'mnist-dnn', data: path.join(out, 'set-24x24-L.h5'), out: run, epochs: 1, batchSize: 32, limitTrain: 129, limitTest: 86, backend: 'cpu' },
    { log: () => {}, epochLines: false },
  );
  assert.equal(res.epochs, 1);
  assert.ok(res.test_accuracy >= 0 && res.test_accuracy <= 1 && Number.isFinite(res.test_loss));
  const cfg = JSON.parse(await fs.readFile(path.join(run, 'config.json'), 'utf8'));
  assert.deepEqual([cfg.dataset.height, cfg.dataset.width, cfg.dataset.channels, cfg.dataset.numClasses], [24, 24, 1, 43], 'input shape from the file');
}

test('the same seed gives the same shuffle, another seed another one', async () => {
  const root = await smallCopy();
  const order = async (seed: number) => {
    const out = await tmpDir();
    await prepareGtsrb({ root, out, sizes: [8], modes: ['L'], seed, workers: 2, batchImages: 32 });
    return Array.from((await readH5Dataset(path.join(out, 'set-8x8-L.h5'))).train.y);
  };
  const a = await order(3);
  assert.deepEqual(await order(3), a);
  assert.notDeepEqual(await order(4), a);
});

for (const [what, args, pattern] of [
  ['an unknown mode', ['--mode', 'L,HSV'], /unknown mode "HSV"/],
  ['a size of 0', ['--size', '24,0'], /size must be > 0/],
  ['a negative size', ['--size', '-3'], /size must be > 0/],
] as const) {
  test(`${what}: one-line error, exit 2, no .h5`, async () => {
    const out = path.join(await tmpDir(), 'sets');
    const r = await runCli(['prepare', 'gtsrb', fixture, '--out', out, ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
    assert.deepEqual(await h5Files(out), []);
  });
}

test('a truncated image mid-way: error naming the file, exit 2, no .h5 under any name; --skip-bad skips and counts it', async () => {
  const root = await smallCopy();
  const dir = path.join(root, 'GTSRB/Final_Training/Images/00001');
  const victim = (await fs.readdir(dir)).filter((f) => f.endsWith('.ppm')).sort()[3];
  const buf = await fs.readFile(path.join(dir, victim));
  await fs.writeFile(path.join(dir, victim), buf.subarray(0, buf.length - 100));
  const out = await tmpDir();
  const r = await runCli(['prepare', 'gtsrb', root, '--size', '24,12', '--mode', 'RGB,L-LHE', '--workers', '2', '--out', out]);
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('convkit: error') || l.includes('error:'));
  assert.equal(lines.length, 1, r.stderr);
  assert.ok(lines[0].includes(victim) && /truncated/.test(lines[0]), lines[0]);
  assert.deepEqual(await fs.readdir(out), [], 'no final file and no temporary file left');

  const r2 = await runCli(['prepare', 'gtsrb', root, '--size', '24', '--mode', 'L', '--skip-bad', '--out', out, '--json']);
  assert.equal(r2.code, 0, r2.stderr);
  const rep = JSON.parse(r2.stdout);
  assert.equal(rep.skipped.length, 1);
  assert.ok(rep.skipped[0].file.endsWith(victim) && /truncated/.test(rep.skipped[0].reason));
  const index = await indexGtsrb(root);
  assert.equal(rep.files[0].train, index.train.length - 1);
});

test('--roi crops each image to its (scaled) region of interest before resizing', async () => {
  const root = await smallCopy();
  const out = await tmpDir();
  const rep = await prepareGtsrb({ root, out, sizes: [16], modes: ['RGB'], roi: true, scale: 0.5, workers: 1 });
  assert.equal(rep.files.length, 1);
  const d = await readH5Dataset(path.join(out, 'set-16x16-RGB.h5'));
  const index = await indexGtsrb(root);
  const per = 16 * 16 * 3;
  for (let k = 0; k < index.meta.length; k++) {
    const crop = await readGtsrbImage(index.meta[k], { roi: true });
    const whole = await readGtsrbImage(index.meta[k]);
    assert.ok(crop.width < whole.width, 'the ROI is smaller than the image');
    assert.deepEqual(d.meta!.x.subarray(k * per, (k + 1) * per), applyMode('RGB', resizeImage(crop, 16, 16), 16, 16));
  }
});

test('the workers\' fast PPM/PGM decoder returns what the GTSRB reader returns (whole, ROI, grey PGM)', async () => {
  const index = await indexGtsrb(fixture);
  for (const s of [index.train[0], index.train[200], index.test[5]]) {
    for (const roi of [false, true]) assert.deepEqual(await decodeSample(s, roi), await readGtsrbImage(s, { roi }));
  }
  // a grey P5 copy of a training image
  const dir = await tmpDir();
  const rgb = await readGtsrbImage(index.train[3]);
  const grey = Buffer.concat([Buffer.from(`P5\n${rgb.width} ${rgb.height}\n255\n`), Buffer.from(rgb.data.filter((_, i) => i % 3 === 1))]);
  const file = path.join(dir, 'grey.pgm');
  await fs.writeFile(file, grey);
  const s = { ...index.train[3], file };
  for (const roi of [false, true]) assert.deepEqual(await decodeSample(s, roi), await readGtsrbImage(s, { roi }));
});
