import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { selectBackend } from './backend.js';
import type { EpochLogs } from './callbacks/callback.js';
import { readCheckpoint } from '../run/checkpoint.js';
import { readMetrics } from '../run/metrics.js';
import { readStatus } from '../run/status.js';
import { decodeEvent, eventFiles, readRecords } from './callbacks/tfevents.js';
import { skipOrRequire } from '../../../../scripts/required-tools.mjs';
import { requirePython, skipWithoutPython } from '../../test-support/python.js';

await selectBackend('cpu'); // tfjs needs a backend to run ops; explicit, as importing convkit sets none

// End-to-end through the CLI, as a user would: real MNIST (embedded), mnist-dnn, cpu backend, small subset, batch 16
// so that an epoch is 20 batches and a kill lands mid-epoch.
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const CLI = path.join(repoRoot, 'packages/convkit/src/cli/main.ts');
const EPOCHS = 4;
const BASE = ['--model', 'mnist-dnn', '--epochs', String(EPOCHS), '--batch-size', '16', '--limit-train', '320', '--limit-test', '100', '--backend', 'cpu', '--seed', '5', '--progress', 'lines'];

interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Done> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Done>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

const cli = (args: string[]) => start(args).done;

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 60000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Highest global step (epoch × steps + batch, 0-based) of a batch_loss event in DIR/tb/train (-1 while none): how far training got, batch by batch. */
async function batchStep(dir: string): Promise<number> {
  let max = -1;
  for (const f of await eventFiles(path.join(dir, 'tb/train')).catch(() => [] as string[])) {
    const buf = await fs.readFile(f).catch(() => null);
    if (!buf) continue;
    for (const r of readRecords(buf).records) {
      const e = decodeEvent(r);
      if (e.summary?.value.some((v) => v.tag === 'batch_loss')) max = Math.max(max, e.step ?? 0);
    }
  }
  return max;
}

/** Epoch of checkpoints/last, read cheaply from its state.json (-1 while none). */
const lastEpoch = (dir: string) => fs.readFile(path.join(dir, 'checkpoints/last/state.json'), 'utf8').then((t) => JSON.parse(t).epoch as number, () => -1);
const epochsLogged = async (dir: string) => (await readMetrics(path.join(dir, 'metrics.jsonl'))).length;
const tmp = () => fs.mkdtemp(path.join(os.tmpdir(), 'convkit-resume-'));

function assertSameMetrics(got: EpochLogs[], want: EpochLogs[]): void {
  assert.deepEqual(got.map((l) => l.epoch), want.map((l) => l.epoch), 'each epoch exactly once');
  for (let i = 0; i < want.length; i++) {
    for (const k of ['loss', 'accuracy', 'val_loss', 'val_accuracy'] as const) {
      const a = got[i][k]!;
      const b = want[i][k]!;
      assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(Math.abs(b), 1e-12), `epoch ${i + 1} ${k}: ${a} vs uninterrupted ${b}`);
    }
  }
}

let refDir: string;
let reference: EpochLogs[];
let refResult: { test_accuracy: number; test_loss: number };

before(async () => {
  refDir = path.join(await tmp(), 'ref');
  const r = await cli(['train', ...BASE, '--out', refDir, '--tensorboard', '--tb-batches', '--save-every', '1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  reference = await readMetrics(path.join(refDir, 'metrics.jsonl'));
  refResult = JSON.parse(r.stdout);
});

test('kill -9 mid-epoch, resume: same metrics as the uninterrupted run, each epoch once; a corrupt last falls back to last.prev', async (t) => {
  const dir = path.join(await tmp(), 'killed');
  const { child, done } = start(['train', ...BASE, '--out', dir, '--tensorboard', '--tb-batches', '--save-every', '1']);
  await waitFor('epoch 2, its checkpoint, and batch 5 of epoch 3', async () => (await epochsLogged(dir)) >= 2 && (await lastEpoch(dir)) >= 2 && (await batchStep(dir)) >= 2 * 20 + 4);
  child.kill('SIGKILL');
  const killed = await done;
  assert.equal(killed.signal, 'SIGKILL');
  assert.equal((await readStatus(path.join(dir, 'status.json')))?.state, 'running', 'a SIGKILLed run cannot update its status');

  // A copy with a damaged last checkpoint, resumed separately below.
  const damaged = `${dir}-damaged`;
  await fs.cp(dir, damaged, { recursive: true });
  const lastEpochAtKill = (await readCheckpoint(path.join(dir, 'checkpoints/last'))).state.epoch;
  await fs.truncate(path.join(damaged, 'checkpoints/last/weights.bin'), 1000);

  const r = await cli(['train', '--resume', dir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`resuming mnist-dnn .* from .*checkpoints/last \\(the end of epoch ${lastEpochAtKill}\\)`));
  assertSameMetrics(await readMetrics(path.join(dir, 'metrics.jsonl')), reference);
  const result = JSON.parse(r.stdout);
  assert.ok(Math.abs(result.test_loss - refResult.test_loss) <= 1e-5 * refResult.test_loss);
  assert.equal(result.test_accuracy, refResult.test_accuracy);
  assert.equal((await readStatus(path.join(dir, 'status.json')))?.state, 'completed');

  const r2 = await cli(['train', '--resume', damaged]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(r2.stderr, /checkpoint .*checkpoints\/last is unusable: .*weights\.bin: truncated or corrupt: 1000 bytes, manifest\.json says \d+/);
  assert.match(r2.stderr, new RegExp(`falling back to .*last\\.prev \\(epoch ${lastEpochAtKill - 1}\\)`));
  assertSameMetrics(await readMetrics(path.join(damaged, 'metrics.jsonl')), reference);

  // TensorBoard files of the resumed run (old file trimmed + new file) still hold one point per epoch.
  // (read with the independent Python reader of tensorboard.test.ts, which checks every CRC)
  await t.test('TensorBoard files: one epoch_loss per epoch, read by the Python reader', { skip: skipWithoutPython('crcmod') }, async () => {
    const python = requirePython('crcmod');
    const files = await eventFiles(path.join(dir, 'tb/train'));
    assert.equal(files.length, 2, 'the killed run\'s file (trimmed) and the resumed run\'s');
    const read: { events: { step?: number; values?: { tag: string; simple_value?: number }[] }[] }[] = JSON.parse(execFileSync(python, [path.join(here, 'callbacks/tfevents-reader.py'), ...files], { encoding: 'utf8' }));
    const points = read.flatMap((f) => f.events.flatMap((e) => (e.values ?? []).filter((v) => v.tag === 'epoch_loss').map((v) => [e.step ?? 0, v.simple_value!] as const)));
    assert.deepEqual(points.map(([st]) => st).sort(), [0, 1, 2, 3]);
    for (const [st, v] of points) assert.equal(v, Math.fround(reference[st].loss));
    // batch points of the epoch the kill cut short were trimmed: every batch once
    const batchSteps = read.flatMap((f) => f.events.filter((e) => e.values?.some((v) => v.tag === 'batch_loss')).map((e) => e.step ?? 0));
    assert.deepEqual(batchSteps.sort((a, b) => a - b), Array.from({ length: EPOCHS * 20 }, (_, i) => i));
  });
});

test('SIGINT stops at the end of a batch, saves a mid-epoch checkpoint, exits 130; the resumed run matches', async () => {
  const dir = path.join(await tmp(), 'sigint');
  const { child, done } = start(['train', ...BASE, '--out', dir, '--tensorboard', '--tb-batches']);
  await waitFor('epoch 1 and batch 4 of epoch 2', async () => (await epochsLogged(dir)) >= 1 && (await batchStep(dir)) >= 20 + 3);
  child.kill('SIGINT');
  const r = await done;
  assert.equal(r.code, 130, r.stderr);
  const errLine = r.stderr.trim().split('\n').pop()!;
  assert.match(errLine, /^convkit: error: interrupted by SIGINT at (epoch \d+, batch \d+\/20|the end of epoch \d+); checkpoints\/last saved — continue with: convkit train --resume /);
  const st = await readStatus(path.join(dir, 'status.json'));
  assert.equal(st?.state, 'interrupted');
  assert.equal(st?.message, errLine.replace(/^convkit: error: /, ''));
  const ck = await readCheckpoint(path.join(dir, 'checkpoints/last'));
  assert.ok(ck.state.epoch >= 1);

  const r2 = await cli(['train', '--resume', dir]);
  assert.equal(r2.code, 0, r2.stderr);
  assertSameMetrics(await readMetrics(path.join(dir, 'metrics.jsonl')), reference);
});

test('a diverging run (lr 1e30) stops on NaN naming epoch and batch, is marked failed, exits 1', async () => {
  const dir = path.join(await tmp(), 'nan');
  const r = await cli(['train', ...BASE, '--epochs', '2', '--lr', '1e30', '--out', dir]);
  assert.equal(r.code, 1);
  const last = r.stderr.trim().split('\n').pop()!;
  assert.match(last, /^convkit: error: .*nan: loss became NaN at epoch 1, batch \d+\/20: training diverged/);
  const st = await readStatus(path.join(dir, 'status.json'));
  assert.equal(st?.state, 'failed');
  assert.match(st!.message!, /loss became NaN at epoch 1/);
  await assert.rejects(fs.access(path.join(dir, 'result.json')));
});

test('checkpoints/best is the epoch with the best val_accuracy in metrics.jsonl', async () => {
  const best = reference.reduce((b, l) => (l.val_accuracy! > b.val_accuracy! ? l : b));
  const ck = await readCheckpoint(path.join(refDir, 'checkpoints/best'));
  assert.equal(ck.state.epoch, best.epoch);
  const bestWeights = await fs.readFile(path.join(refDir, 'checkpoints/best/weights.bin'));
  const sameEpoch = await fs.readFile(path.join(refDir, `checkpoints/epoch-${String(best.epoch).padStart(3, '0')}/weights.bin`));
  assert.ok(bestWeights.equals(sameEpoch));
  const r = await cli(['train', '--resume', refDir]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /the run already completed \(result\.json exists\); nothing to resume/);
  const r2 = await cli(['train', '--resume', refDir, '--lr', '0.1']);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /option --lr: cannot be changed when resuming/);
});

test('killed before its first checkpoint: --resume restarts from epoch 1 (and may extend --epochs)', async () => {
  const dir = path.join(await tmp(), 'early-kill');
  const { child, done } = start(['train', ...BASE, '--epochs', '1', '--out', dir]);
  await waitFor('status.json', async () => (await readStatus(path.join(dir, 'status.json'))) !== null);
  child.kill('SIGKILL');
  await done;
  const r = await cli(['train', '--resume', dir, '--epochs', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /has no checkpoint yet; restarting it from epoch 1/);
  assertSameMetrics(await readMetrics(path.join(dir, 'metrics.jsonl')), reference.slice(0, 2));
  assert.equal(JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8')).epochs, 2);
});

test('on the native onednn backend too: a CNN with dropout and augmentation (native warp), killed mid-epoch (kill -9, then SIGINT) and resumed twice, matches its uninterrupted run exactly', async (t) => {
  const { probeNativeBackend } = await import('./backend.js');
  const native = await probeNativeBackend();
  if (skipOrRequire(t, 'onednn', native.ok ? null : native.why)) return;
  // fused conv+relu, native dropout masks, fused Adam, fixed conv plans and the native Transform kernel all take part here
  const args = ['--model', 'mnist-cnn', '--epochs', '3', '--batch-size', '32', '--limit-train', '1024', '--limit-test', '200', '--backend', 'onednn', '--seed', '9', '--progress', 'lines', '--augment', 'fidle,contrast=0.2'];
  const base = await tmp();
  const ref = await cli(['train', ...args, '--out', path.join(base, 'ref'), '--json']);
  assert.equal(ref.code, 0, ref.stderr);
  const want = await readMetrics(path.join(base, 'ref', 'metrics.jsonl'));
  const dir = path.join(base, 'killed');

  // kill -9 in the middle of epoch 2: resumes from the end of epoch 1
  const first = start(['train', ...args, '--out', dir, '--tensorboard', '--tb-batches']);
  await waitFor('status.json', async () => ((await readStatus(path.join(dir, 'status.json')))?.batches ?? 0) > 0);
  const steps = (await readStatus(path.join(dir, 'status.json')))!.batches; // batches per epoch
  await waitFor('batch 5 of epoch 2', async () => (await batchStep(dir)) >= steps + 4);
  first.child.kill('SIGKILL');
  await first.done;
  const atKill = (await readCheckpoint(path.join(dir, 'checkpoints/last'))).state;
  assert.equal(atKill.batch, 0, 'a SIGKILLed run only has its epoch-end checkpoint');

  // SIGINT in the middle of epoch 3 of the resumed run: a mid-epoch checkpoint
  const second = start(['train', '--resume', dir]);
  await waitFor('batch 5 of epoch 3', async () => (await batchStep(dir)) >= 2 * steps + 4);
  second.child.kill('SIGINT');
  const stopped = await second.done;
  assert.equal(stopped.code, 130, stopped.stderr);
  const mid = (await readCheckpoint(path.join(dir, 'checkpoints/last'))).state;
  assert.ok(mid.epoch === 2 && mid.batch > 0, `a mid-epoch checkpoint in epoch 3 (got epoch ${mid.epoch}, batch ${mid.batch})`);

  const r = await cli(['train', '--resume', dir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`from .*checkpoints/last \\(epoch 3, batch ${mid.batch}/${steps}\\)`));
  const got = await readMetrics(path.join(dir, 'metrics.jsonl'));
  assert.deepEqual(got.map((l) => l.epoch), [1, 2, 3]);
  for (let i = 0; i < want.length; i++) {
    for (const k of ['loss', 'accuracy', 'val_loss', 'val_accuracy'] as const) assert.equal(got[i][k], want[i][k], `epoch ${i + 1} ${k}`);
  }
  assert.equal(JSON.parse(r.stdout).test_accuracy, JSON.parse(ref.stdout).test_accuracy);
});

test('augmented (--augment fidle,brightness=0.8:1.2): recorded in config.json, kept by --resume; killed and resumed equals uninterrupted', async () => {
  // batches of 4: 80 per epoch, a wide window for the kill to land in epoch 2
  const args = [...BASE.map((a, i) => (BASE[i - 1] === '--batch-size' ? '4' : a)), '--epochs', '3', '--augment', 'fidle,brightness=0.8:1.2'];
  const base = await tmp();
  const ref = await cli(['train', ...args, '--out', path.join(base, 'ref'), '--json']);
  assert.equal(ref.code, 0, ref.stderr);
  assert.match(ref.stderr, /augmented \(rotation=10,zoom=0\.2,shear=0\.1,brightness=0\.8:1\.2,widthShift=0\.1,heightShift=0\.1,fill=nearest\)/);
  const want = await readMetrics(path.join(base, 'ref', 'metrics.jsonl'));
  assert.notEqual(want[0].loss, reference[0].loss, 'augmentation changes what is trained on');
  const dir = path.join(base, 'killed');
  const { child, done } = start(['train', ...args, '--out', dir, '--tensorboard', '--tb-batches']);
  await waitFor('status.json', async () => ((await readStatus(path.join(dir, 'status.json')))?.batches ?? 0) > 0);
  const steps = (await readStatus(path.join(dir, 'status.json')))!.batches; // batches per epoch
  await waitFor('batch 2 of epoch 2', async () => (await batchStep(dir)) >= steps + 1);
  child.kill('SIGKILL');
  await done;
  // where the kill landed: in epoch 2 (past its first batch, before its end), after epoch 1's checkpoint
  assert.ok((await batchStep(dir)) >= steps + 1, 'killed in epoch 2');
  assert.equal(await epochsLogged(dir), 1, 'killed before epoch 2 ended');
  assert.equal(await lastEpoch(dir), 1, "epoch 1's checkpoint is the last");
  const saved = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8'));
  assert.deepEqual(saved.augment, { rotation: 10, zoom: 0.2, shear: 0.1, brightness: [0.8, 1.2], contrast: 0, hflip: false, vflip: false, fill: 'nearest', cval: 0, widthShift: 0.1, heightShift: 0.1 });
  const r = await cli(['train', '--resume', dir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assertSameMetrics(await readMetrics(path.join(dir, 'metrics.jsonl')), want);
  assert.equal(JSON.parse(r.stdout).test_accuracy, JSON.parse(ref.stdout).test_accuracy);
  const r2 = await cli(['train', '--resume', dir, '--augment', 'none']);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /option --augment: cannot be changed when resuming/);
});
