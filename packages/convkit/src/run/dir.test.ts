import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runCli, startCli as start, waitFor } from '../../test-support/cli.js';
import { encodeIdx } from '../datasets/idx.js';
import { readRunLock, RUN_LOCK_FILE } from './lock.js';
import { readMetrics } from './metrics.js';

// Through the CLI on real digits (mnist:embedded), mnist-dnn, 20 batches an epoch: a few seconds a run.
const BASE = ['--model', 'mnist-dnn', '--batch-size', '16', '--limit-train', '320', '--limit-test', '100', '--seed', '5', '--progress', 'lines'];
const tmp = () => fs.mkdtemp(path.join(os.tmpdir(), 'convkit-rundir-'));

const lastEpoch = (dir: string) => fs.readFile(path.join(dir, 'checkpoints/last/state.json'), 'utf8').then((t) => JSON.parse(t).epoch as number, () => -1);
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('convkit: error:'));
const readJson = async (f: string) => JSON.parse(await fs.readFile(f, 'utf8'));

test('one writer per run: a second train on a running run is refused naming pid and host; after kill -9 its lock is taken over', async () => {
  const dir = path.join(await tmp(), 'run');
  // --backend auto: the resumed run must keep asking for auto, not for what auto resolved to
  const { child, done } = start(['train', ...BASE, '--backend', 'auto', '--epochs', '1000', '--out', dir]);
  try {
    await waitFor('the lock and a checkpoint after epoch 2', async () => (await readRunLock(dir))?.pid === child.pid && (await lastEpoch(dir)) >= 2);
    const host = os.hostname().replace(/[.]/g, '\\.');
    for (const args of [['train', '--resume', dir], ['train', ...BASE, '--out', dir, '--force']]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')}\n${r.stderr}`);
      assert.deepEqual(errorLines(r.stderr).length, 1, r.stderr);
      assert.match(errorLines(r.stderr)[0], new RegExp(`^convkit: error: ${dir}: run is locked by pid ${child.pid} on ${host} \\(train\\) since .*; one writer per run$`));
    }
  } finally {
    child.kill('SIGKILL');
  }
  await done;
  const epochsDone = await lastEpoch(dir);
  assert.ok(epochsDone >= 2);
  assert.equal((await readRunLock(dir))?.pid, child.pid, 'a SIGKILLed writer leaves its lock');

  const below = await runCli(['train', '--resume', dir, '--epochs', String(epochsDone - 1)]);
  assert.equal(below.code, 2, below.stderr);
  assert.match(below.stderr, new RegExp(`^convkit: taking over the lock of ${dir}: its writer \\(pid ${child.pid} on .* \\(train\\) since .*\\) is gone$`, 'm'));
  assert.match(errorLines(below.stderr)[0], new RegExp(`option --epochs: ${epochsDone - 1} is fewer than the ${epochsDone} epochs this run has already done`));
  assert.equal(await readRunLock(dir), null, 'released on the error path too');

  const r = await runCli(['train', '--resume', dir, '--epochs', String(epochsDone + 1), '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((await readMetrics(path.join(dir, 'metrics.jsonl'))).map((l) => l.epoch), Array.from({ length: epochsDone + 1 }, (_, i) => i + 1));
  assert.equal(await readRunLock(dir), null, 'released at the end');
  const config = await readJson(path.join(dir, 'config.json'));
  assert.equal(config.requestedBackend, 'auto');
  assert.equal(config.epochs, epochsDone + 1);
  assert.notEqual(config.backend, 'auto');
});

test('train --out on an unfinished run: exit 2 (--resume or --force); --force discards it whole; evaluate scores on the run\'s --limit-test', async () => {
  const base = await tmp();
  const dir = path.join(base, 'run');
  const { child, done } = start(['train', ...BASE, '--backend', 'cpu', '--epochs', '1000', '--out', dir]);
  await waitFor('a checkpoint after epoch 1', async () => (await lastEpoch(dir)) >= 1);
  child.kill('SIGKILL');
  await done;
  const metricsBefore = await fs.readFile(path.join(dir, 'metrics.jsonl'), 'utf8');

  const refused = await runCli(['train', ...BASE, '--backend', 'cpu', '--epochs', '1', '--out', dir]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.deepEqual(errorLines(refused.stderr), [`convkit: error: ${dir}: output directory holds an unfinished run (no result.json); use --resume to continue or --force to discard`]);
  assert.equal(await fs.readFile(path.join(dir, 'metrics.jsonl'), 'utf8'), metricsBefore, 'the unfinished run is untouched');
  await fs.access(path.join(dir, 'checkpoints/last/state.json'));

  const forced = await runCli(['train', ...BASE, '--backend', 'cpu', '--epochs', '1', '--out', dir, '--force', '--json']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stderr, /--force: discarding the previous run in /);
  assert.deepEqual((await readMetrics(path.join(dir, 'metrics.jsonl'))).map((l) => l.epoch), [1]);
  assert.deepEqual(await fs.readdir(base), ['run'], 'nothing left aside');
  await assert.rejects(fs.access(path.join(dir, RUN_LOCK_FILE)));

  const finished = await runCli(['train', ...BASE, '--backend', 'cpu', '--epochs', '1', '--out', dir]);
  assert.equal(finished.code, 2);
  assert.match(errorLines(finished.stderr)[0], /holds a finished run \(result\.json exists\); use --force to overwrite or another --out/);

  // evaluate uses the 100 test images the run was scored on, not the whole test split
  const result = JSON.parse(forced.stdout);
  const ev = await runCli(['evaluate', dir, '--backend', 'cpu', '--json']);
  assert.equal(ev.code, 0, ev.stderr);
  const evaluation = JSON.parse(ev.stdout);
  assert.equal(evaluation.count, 100);
  assert.equal(evaluation.test_accuracy, result.test_accuracy);
  assert.ok(Math.abs(evaluation.test_loss - result.test_loss) < 1e-6, `${evaluation.test_loss} vs ${result.test_loss}`);
});

test('a dataset without test images is refused before training (not reported as "training diverged")', async () => {
  const base = await tmp();
  const data = path.join(base, 'no-test');
  await fs.mkdir(data);
  const n = 32;
  await fs.writeFile(path.join(data, 'train-images-idx3-ubyte'), encodeIdx([n, 28, 28], new Uint8Array(n * 784).map((_, i) => (i * 7) % 256)));
  await fs.writeFile(path.join(data, 'train-labels-idx1-ubyte'), encodeIdx([n], new Uint8Array(n).map((_, i) => i % 10)));
  await fs.writeFile(path.join(data, 't10k-images-idx3-ubyte'), encodeIdx([0, 28, 28], new Uint8Array(0)));
  await fs.writeFile(path.join(data, 't10k-labels-idx1-ubyte'), encodeIdx([0], new Uint8Array(0)));
  const out = path.join(base, 'run');
  const r = await runCli(['train', '--model', 'mnist-dnn', '--data', data, '--epochs', '1', '--backend', 'cpu', '--out', out]);
  assert.equal(r.code, 2, r.stderr);
  assert.deepEqual(errorLines(r.stderr), [`convkit: error: ${data}: no test images (a run is validated and scored on them)`]);
  await assert.rejects(fs.access(out), 'nothing written');
});
