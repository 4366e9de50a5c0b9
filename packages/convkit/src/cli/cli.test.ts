import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { skipOrRequire } from '../../../../scripts/required-tools.mjs';
import { runCli } from '../../test-support/cli.js';
import { gtsrbFixtureDir, repoRoot } from '../../test-support/paths.js';
import { encodeIdx } from '../datasets/idx.js';
import { loadEmbeddedMnist } from '../datasets/mnist.js';

let tmp: string;
before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-cli-'));
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

function oneLineError(stderr: string, pattern: RegExp) {
  const lines = stderr.trim().split('\n').filter((l) => l.startsWith('convkit: error:') || l.startsWith('error:'));
  assert.equal(lines.length, 1, `exactly one error line in:\n${stderr}`);
  assert.match(lines[0], pattern);
}

test('--help and <cmd> --help exit 0 and list the commands', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const cmd of ['train', 'evaluate', 'predict', 'models']) assert.match(r.stdout, new RegExp(`\\b${cmd}\\b`));
  const t = await runCli(['train', '--help']);
  assert.equal(t.code, 0);
  assert.match(t.stdout, /--batch-size/);
});

test('usage errors exit 2 with one line naming the option', async () => {
  const out = path.join(tmp, 'never');
  const cases: [string[], RegExp][] = [
    [['train', '--model', 'resnet-9000', '--out', out], /unknown model "resnet-9000"/],
    [['train', '--model', 'mnist-dnn', '--data', 'nowhere-data', '--out', out], /nowhere-data: unknown data source/],
    [['train', '--model', 'mnist-dnn', '--epochs', 'ten', '--out', out], /--epochs.*positive integer.*"ten"/],
    [['train', '--model', 'mnist-dnn', '--epochs', '0', '--out', out], /--epochs.*positive integer/],
    [['train', '--model', 'mnist-dnn', '--lr', '-1', '--out', out], /--lr.*positive number/],
    [['train', '--model', 'mnist-dnn', '--validation', '1.5', '--out', out], /--validation.*fraction/],
    [['train', '--model', 'mnist-dnn', '--optimizer', 'lbfgs', '--out', out], /--optimizer.*adam, sgd/],
    [['train', '--model', 'mnist-dnn'], /--out/],
    [['frobnicate'], /unknown command/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}\n${r.stderr}`);
    oneLineError(r.stderr, pattern);
  }
  await assert.rejects(fs.access(out), 'nothing written for failed runs');
});

test('a truncated IDX file fails with exit 2, names the file, and writes no result.json', async () => {
  const data = path.join(tmp, 'bad-idx');
  await fs.mkdir(data);
  const n = 8;
  await fs.writeFile(path.join(data, 'train-images-idx3-ubyte'), encodeIdx([n, 28, 28], new Uint8Array(n * 784)).subarray(0, 3000));
  await fs.writeFile(path.join(data, 'train-labels-idx1-ubyte'), encodeIdx([n], new Uint8Array(n)));
  await fs.writeFile(path.join(data, 't10k-images-idx3-ubyte'), encodeIdx([n, 28, 28], new Uint8Array(n * 784)));
  await fs.writeFile(path.join(data, 't10k-labels-idx1-ubyte'), encodeIdx([n], new Uint8Array(n)));
  const out = path.join(tmp, 'bad-run');
  const r = await runCli(['train', '--model', 'mnist-dnn', '--data', data, '--out', out, '--backend', 'cpu']);
  assert.equal(r.code, 2);
  oneLineError(r.stderr, /train-images-idx3-ubyte: truncated IDX data/);
  await assert.rejects(fs.access(path.join(out, 'result.json')));
});

test('train → evaluate → predict on real digits, and a finished run is not overwritten without --force', async () => {
  const out = path.join(tmp, 'dnn');
  const args = ['train', '--model', 'mnist-dnn', '--epochs', '3', '--batch-size', '64', '--limit-train', '3000', '--out', out, '--json', '--backend', 'cpu'];
  const r = await runCli(args);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.ok(result.test_accuracy > 0.85, `accuracy ${result.test_accuracy}`);
  for (const f of ['config.json', 'metrics.jsonl', 'result.json', 'model/model.json', 'model/weights.bin']) await fs.access(path.join(out, f));
  const metrics = (await fs.readFile(path.join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(metrics.map((m) => m.epoch), [1, 2, 3]);
  for (const k of ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'seconds', 'images_per_s']) assert.equal(typeof metrics[0][k], 'number', k);
  assert.ok(metrics[2].loss < metrics[0].loss, 'loss decreases');
  const config = JSON.parse(await fs.readFile(path.join(out, 'config.json'), 'utf8'));
  assert.equal(config.batchSize, 64);
  assert.equal(config.optimizer, 'adam');
  assert.ok(config.versions.tfjsCore);

  const ev = await runCli(['evaluate', out, '--json', '--backend', 'cpu']);
  assert.equal(ev.code, 0, ev.stderr);
  assert.ok(Math.abs(JSON.parse(ev.stdout).test_accuracy - result.test_accuracy) < 1e-9, 'evaluate reproduces the saved model');

  // predict on real test digits written as PNG and PGM files
  const d = loadEmbeddedMnist();
  const files: string[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 6; i++) {
    const px = Buffer.from((d.test.x as Uint8Array).subarray(i * 784, (i + 1) * 784));
    const png = path.join(tmp, `digit${i}.png`);
    await sharp(px, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(png);
    files.push(png);
    labels.push(d.test.y[i]);
  }
  const pgm = path.join(tmp, 'digit0.pgm');
  await fs.writeFile(pgm, Buffer.concat([Buffer.from('P5\n# a comment\n28 28\n255\n'), Buffer.from((d.test.x as Uint8Array).subarray(0, 784))]));
  const p = await runCli(['predict', out, ...files, pgm, '--json', '--top', '2', '--backend', 'cpu']);
  assert.equal(p.code, 0, p.stderr);
  const preds = JSON.parse(p.stdout);
  assert.equal(preds.length, 7);
  assert.equal(preds[0].top.length, 2);
  const correct = preds.slice(0, 6).filter((q: any, i: number) => q.top[0].class === labels[i]).length;
  assert.ok(correct >= 4, `${correct}/6 digits recognised`);
  assert.equal(preds[6].top[0].class, preds[0].top[0].class, 'PGM and PNG of the same digit agree');

  // The native predictor (the default backend) on the same run: evaluate scores the same test images alike, a folder
  // of images by batches of 4 into a CSV gives the per-file call's classes, and --benchmark times it.
  const evNative = await runCli(['evaluate', out, '--json']);
  assert.equal(evNative.code, 0, evNative.stderr);
  const en = JSON.parse(evNative.stdout);
  assert.equal(en.engine, 'onednn-plan');
  assert.ok(Math.abs(en.test_accuracy - result.test_accuracy) <= 2 / en.count, `oneDNN plan ${en.test_accuracy} vs tfjs-cpu ${result.test_accuracy}`);
  const folder = path.join(tmp, 'digits');
  await fs.mkdir(path.join(folder, 'sub'), { recursive: true });
  for (const [i, f] of files.entries()) await fs.copyFile(f, path.join(folder, i % 2 ? 'sub' : '', path.basename(f)));
  await fs.copyFile(pgm, path.join(folder, 'digit0.pgm'));
  await fs.writeFile(path.join(folder, 'notes.txt'), 'not an image');
  const csvFile = path.join(tmp, 'predictions.csv');
  const pc = await runCli(['predict', out, folder, '--csv', csvFile, '--batch-size', '4', '--top', '2']);
  assert.equal(pc.code, 0, pc.stderr);
  const [header, ...rows] = (await fs.readFile(csvFile, 'utf8')).trim().split('\n');
  assert.equal(header, 'file,class_1,name_1,probability_1,class_2,name_2,probability_2');
  assert.equal(rows.length, 7, 'six PNGs (two folders) and the PGM, not notes.txt');
  for (const row of rows) {
    const [file, cls] = row.split(',');
    const i = preds.findIndex((q: any) => path.basename(q.file) === path.basename(file));
    assert.ok(i >= 0, file);
    assert.equal(Number(cls), preds[i].top[0].class, `${file}: the batched oneDNN predictor and the per-file tfjs one agree`);
  }
  const unset = { OMP_WAIT_POLICY: undefined, GOMP_SPINCOUNT: undefined }; // the user's choice, if any, is tested below
  const bench = await runCli(['predict', out, '--benchmark', '--batch-size', '8', '--seconds', '0.2', '--json'], { env: unset });
  assert.equal(bench.code, 0, bench.stderr);
  const b = JSON.parse(bench.stdout);
  assert.equal(b.engine, 'onednn-plan');
  assert.deepEqual([b.batch_size, b.input_shape, b.rounds], [8, [28, 28, 1], 3]);
  assert.ok(b.images_per_s > 0 && b.latency_ms > 0 && b.round_images_per_s.length === 3, JSON.stringify(b));
  // predict spins OpenMP's workers briefly (batch-1 latency) unless the user chose a policy; the timing records it
  assert.deepEqual(b.threads, { omp_wait_policy: 'passive', gomp_spincount: '5000' });
  const chosen = await runCli(['predict', out, '--benchmark', '--batch-size', '1', '--seconds', '0.1', '--json'], { env: { ...unset, OMP_WAIT_POLICY: 'active' } });
  assert.equal(chosen.code, 0, chosen.stderr);
  assert.deepEqual(JSON.parse(chosen.stdout).threads, { omp_wait_policy: 'active', gomp_spincount: null });
  const both = await runCli(['predict', out, files[0], '--benchmark']);
  assert.equal(both.code, 2);
  oneLineError(both.stderr, /--benchmark.*no images/);

  const again = await runCli(args);
  assert.equal(again.code, 2);
  oneLineError(again.stderr, /finished run.*--force/);
  const bad = await runCli(['predict', out, path.join(tmp, 'missing.png')]);
  assert.equal(bad.code, 2);
  oneLineError(bad.stderr, /missing\.png: file not found/);
});

test('the compiled CLI (bin/convkit.js on dist/, as `make` builds it) runs prepare on its worker threads', async (t) => {
  const bin = path.join(repoRoot, 'packages/convkit/bin/convkit.js');
  const dist = path.join(repoRoot, 'packages/convkit/dist/prepare/worker.js');
  if (skipOrRequire(t, 'cli', existsSync(dist) ? null : `${path.relative(repoRoot, dist)} not built`)) return;
  const out = path.join(tmp, 'dist-prepare');
  const r = spawnSync(process.execPath, [bin, 'prepare', 'gtsrb', gtsrbFixtureDir, '--size', '24', '--mode', 'L', '--out', out, '--json'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(await fs.readdir(out), ['set-24x24-L.h5']);
});
