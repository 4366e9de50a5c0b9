import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { runCli, startCli } from '../../../test-support/cli.js';
import { extended } from '../../../test-support/extended.js';
import { gtsrbMiniDir } from '../../../test-support/paths.js';
import { readH5Dataset } from '../../datasets/hdf5.js';
import { prepareGtsrb } from '../../prepare/gtsrb.js';
import { readMetrics } from '../../run/metrics.js';
import { classQuotas, sampledOrder } from './order.js';
import { samplingWeights } from './weights.js';

// gtsrb-mini (2,580 training images of 43 classes in 2 tracks each, very unequal class sizes) prepared at 24×24 L;
// run A (gtsrb-v1, 1 epoch, track-wise validation) is the run whose validation errors the others act on.
const needs = extended(gtsrbMiniDir);
let dir: string;
let data: string;
let runA: string;
const quick = ['--model', 'gtsrb-v1', '--batch-size', '16', '--progress', 'none'];

before(async () => {
  if (needs.skip) return;
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-sampling-'));
  await prepareGtsrb({ root: gtsrbMiniDir, out: path.join(dir, 'data'), sizes: [24], modes: ['L'] });
  data = path.join(dir, 'data', 'set-24x24-L.h5');
  runA = path.join(dir, 'A');
  const r = await runCli(['train', ...quick, '--data', data, '--epochs', '1', '--out', runA]);
  assert.equal(r.code, 0, r.stderr);
});

/** How often each class comes up in an order. */
function classCounts(order: Int32Array, y: Int32Array, k: number): number[] {
  const c = new Array<number>(k).fill(0);
  for (const i of order) c[y[i]]++;
  return c;
}

test('class frequencies per epoch on gtsrb-mini: balanced gives every class n/43 (±1), errors ∝ (1 − recall) + floor; the epoch keeps its size; a pure function of seed and epoch', needs, async () => {
  const set = await readH5Dataset(data);
  // gtsrb-mini has 60 images of every class: its first 10 + c images of class c make the classes unequal (10–52), as
  // in the full set (210–2,250), so that balancing changes something.
  const kept: number[] = [];
  const seen = new Array<number>(43).fill(0);
  for (const c of set.train.y) if (seen[c]++ < 10 + c) kept.push(c);
  const y = Int32Array.from(kept);
  const n = y.length;
  const natural = classCounts(Int32Array.from(y.keys()), y, 43);
  assert.deepEqual([Math.min(...natural), Math.max(...natural)], [10, 52]);

  const balanced = new Array<number>(43).fill(1);
  const e1 = sampledOrder(42, 1, y, balanced, n);
  assert.equal(e1.length, n);
  const counts = classCounts(e1, y, 43);
  for (const c of counts) assert.ok(Math.abs(c - n / 43) <= 1, `balanced: ${c} vs ${n / 43}`);
  // within a class, images are used evenly: a small class's images repeat, each at most once more than another
  for (let c = 0; c < 43; c++) {
    const uses = new Map<number, number>();
    for (const i of e1) if (y[i] === c) uses.set(i, (uses.get(i) ?? 0) + 1);
    const u = [...uses.values()];
    assert.ok(Math.max(...u) - Math.min(...u) <= 1, `class ${c}: uses ${Math.min(...u)}–${Math.max(...u)}`);
    if (natural[c] <= counts[c]) assert.equal(uses.size, natural[c], `class ${c}: every image of a small class is seen`);
  }
  assert.deepEqual(sampledOrder(42, 1, y, balanced, n), e1, 'the same seed and epoch: the same order');
  assert.notDeepEqual(sampledOrder(42, 2, y, balanced, n), e1, 'another epoch: another order');
  assert.notDeepEqual(sampledOrder(43, 1, y, balanced, n), e1, 'another seed: another order');
  assert.equal(sampledOrder(42, 3, y, balanced, 5 * 64).length, 5 * 64, '--steps-per-epoch 5 with batches of 64');

  const weights = (await samplingWeights({ sampling: 'errors', samplingFrom: runA, samplingFloor: 0.1 }, 43))!;
  const result = JSON.parse(await fs.readFile(path.join(runA, 'result.json'), 'utf8'));
  assert.equal(result.val_per_class.length, 43);
  assert.equal(result.val_per_class.reduce((s: number, c: { count: number }) => s + c.count, 0), result.validation.count);
  result.val_per_class.forEach((c: { recall: number | null }, i: number) => c.recall !== null && assert.ok(Math.abs(weights[i] - (1 - c.recall + 0.1)) < 1e-12));
  const errs = classCounts(sampledOrder(42, 1, y, weights, n), y, 43);
  const total = weights.reduce((s, w) => s + w, 0);
  errs.forEach((c, i) => assert.ok(Math.abs(c - (n * weights[i]) / total) < 1, `errors: class ${i} ${c} vs ${(n * weights[i]) / total}`));
  assert.deepEqual(classQuotas(weights, weights.map(() => true), n), errs, 'the quotas are what the order holds');
});

test('--sampling errors with --augment-classes: config.json keeps the weights; extended by --resume it matches the uninterrupted run, without reading the other run again', needs, async () => {
  const args = [...quick, '--data', data, '--sampling', 'errors', '--sampling-from', runA, '--augment', 'rotation=10,shift=0.1', '--augment-classes', '3,5', '--augment-classes-scale', '2'];
  const ref = await runCli(['train', ...args, '--epochs', '2', '--out', path.join(dir, 'B'), '--json']);
  assert.equal(ref.code, 0, ref.stderr);
  assert.match(ref.stderr, /augmented \(rotation=10,.*\), ×2 for classes 3, 5, errors sampling from /);
  const want = await readMetrics(path.join(dir, 'B', 'metrics.jsonl'));
  const cfg = JSON.parse(await fs.readFile(path.join(dir, 'B', 'config.json'), 'utf8'));
  assert.deepEqual(cfg.samplingWeights, await samplingWeights({ sampling: 'errors', samplingFrom: runA, samplingFloor: 0.1 }, 43));
  assert.deepEqual([cfg.sampling, cfg.augmentClasses, cfg.augmentClassesScale], ['errors', [3, 5], 2]);

  const uniform = await runCli(['train', ...quick, '--data', data, '--augment', 'rotation=10,shift=0.1', '--epochs', '1', '--out', path.join(dir, 'U'), '--json']);
  assert.equal(uniform.code, 0, uniform.stderr);
  assert.notEqual((await readMetrics(path.join(dir, 'U', 'metrics.jsonl')))[0].loss, want[0].loss, 'the sampling changes what epoch 1 trains on');

  // The same run stopped by SIGINT after its first epoch's checkpoint (in epoch 2, or at its end), then resumed.
  const c = path.join(dir, 'C');
  const { child, done } = startCli(['train', ...args, '--epochs', '2', '--out', c]);
  const checkpointed = () => fs.readFile(path.join(c, 'checkpoints/last/state.json'), 'utf8').then((t) => JSON.parse(t).epoch >= 1, () => false);
  while (!(await checkpointed()) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGINT');
  const stopped = await done;
  assert.equal(stopped.code, 130, stopped.stderr);
  assert.match(stopped.stderr, /interrupted by SIGINT at (epoch 2, batch \d+\/\d+|the end of epoch 1)/);
  // the run the weights came from changes: the resumed run must not look at it again
  await fs.rename(path.join(runA, 'result.json'), path.join(runA, 'result.json.away'));
  try {
    const r = await runCli(['train', '--resume', c, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const got = await readMetrics(path.join(c, 'metrics.jsonl'));
    assert.deepEqual(got.map((l) => [l.epoch, l.loss, l.accuracy, l.val_loss, l.val_accuracy]), want.map((l) => [l.epoch, l.loss, l.accuracy, l.val_loss, l.val_accuracy]));
    assert.equal(JSON.parse(r.stdout).test_accuracy, JSON.parse(ref.stdout).test_accuracy);
  } finally {
    await fs.rename(path.join(runA, 'result.json.away'), path.join(runA, 'result.json'));
  }
  const r2 = await runCli(['train', '--resume', c, '--sampling', 'balanced']);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /option --sampling: cannot be changed when resuming/);
});

test('bad sampling values: one line, exit 2, from the command line and from a config file', needs, async () => {
  const out = path.join(dir, 'bad');
  const expectError = async (args: string[], pattern: RegExp) => {
    const r = await runCli(['train', ...quick, '--data', data, '--epochs', '1', '--out', out, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    // convkit's errors are one line; commander's (a value not among the choices) add a usage hint
    if (pattern.source.startsWith('^convkit')) assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
  };
  await expectError(['--sampling', 'sometimes'], /^error: option '--sampling <mode>' argument 'sometimes' is invalid\. expected one of uniform, balanced, errors/);
  await expectError(['--sampling', 'errors'], /^convkit: error: option --sampling-from: required with --sampling errors/);
  await expectError(['--sampling', 'balanced', '--sampling-from', runA], /^convkit: error: option --sampling-from: only with --sampling errors/);
  await expectError(['--sampling', 'errors', '--sampling-from', path.join(dir, 'nowhere')], /^convkit: error: .*nowhere.*result\.json: not a finished run/);
  await expectError(['--sampling-floor', '0'], /--sampling-floor/);
  await expectError(['--augment-classes', '3,x', '--augment', 'fidle'], /^convkit: error: option --augment-classes: 1: must be class ids/);
  await expectError(['--augment-classes', '3,99', '--augment', 'fidle'], /^convkit: error: option --augment-classes: class 99 is not a class of the data \(0–42\)/);
  await expectError(['--augment-classes', '3'], /^convkit: error: option --augment-classes: needs --augment/);
  // a run validated on the test set, and one written before val_per_class
  for (const [name, edit, pattern] of [
    ['on-test', (r: Record<string, unknown>) => ({ ...r, validation: { kind: 'test', count: 1290 } }), /this run validated on the test set/],
    ['old', ({ val_per_class: _, ...r }: Record<string, unknown>) => r, /no val_per_class/],
  ] as const) {
    const copy = path.join(dir, name);
    await fs.cp(runA, copy, { recursive: true });
    const r = JSON.parse(await fs.readFile(path.join(copy, 'result.json'), 'utf8'));
    await fs.writeFile(path.join(copy, 'result.json'), JSON.stringify(edit(r)));
    await expectError(['--sampling', 'errors', '--sampling-from', copy], new RegExp(`^convkit: error: ${copy}/result\\.json: --sampling-from: ${pattern.source}`));
  }
  const cfg = path.join(dir, 'bad.yaml');
  await fs.writeFile(cfg, ['train:', '  model: gtsrb-v1', '  sampling: sometimes', '  augment-classes: [3, -1]', ''].join('\n'));
  const r = await runCli(['train', '--config', cfg, '--data', data, '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`^convkit: error: ${cfg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: train\\.sampling: `));
  await assert.rejects(fs.access(out), 'nothing written for a bad input');
});
