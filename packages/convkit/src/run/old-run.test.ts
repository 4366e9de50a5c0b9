import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../test-support/cli.js';
import { fixturesDir } from '../../test-support/paths.js';
import { summariseRuns } from '../report/compare.js';
import { summariseRun } from '../web/run-summary.js';
import { hasCheckpoint, readCheckpointState } from './checkpoint-files.js';
import { readRunConfig } from './config.js';
import { runDirState } from './dir.js';
import { checkpointDir } from './layout.js';
import { readRunMetrics } from './metrics.js';
import { readRunResult } from './result.js';
import { readRunStatus } from './status.js';

// Runs written by convkit before the run folder had its own module (test-fixtures/old-run-2026-12, see its README):
// they must still read, resume and report.
const OLD = path.join(fixturesDir, 'old-run-2026-12');

async function copyOf(name: string): Promise<string> {
  const dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-old-run-')), name);
  await fs.cp(path.join(OLD, name), dir, { recursive: true });
  return dir;
}

async function reportJson(dir: string) {
  const r = await runCli(['report', dir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('an interrupted run of 2026-12 reads, reports, resumes with more epochs and reports again', async () => {
  const dir = await copyOf('interrupted');
  try {
    // the readers, on the run as the old code left it (SIGINT at epoch 2, batch 404 of 1000)
    const config = await readRunConfig(dir);
    assert.equal(config.model, 'mnist-cnn');
    assert.equal(config.limitTest, 50);
    assert.equal(config.dataset.numClasses, 10);
    const status = await readRunStatus(dir);
    assert.equal(status?.state, 'interrupted');
    assert.deepEqual([status?.epoch, status?.batch, status?.epochs], [2, 404, 3]);
    assert.deepEqual((await readRunMetrics(dir)).map((m) => m.epoch), [1]);
    assert.equal(await runDirState(dir), 'unfinished');
    assert.ok((await hasCheckpoint(dir, 'best')) && (await hasCheckpoint(dir, 'last')));
    const last = await readCheckpointState(checkpointDir(dir, 'last')); // verified against its manifest
    assert.deepEqual([last.epoch, last.batch], [1, 404]);
    assert.ok(last.progress && last.progress.seen > 0, 'a mid-epoch checkpoint keeps its running sums');

    const before = await reportJson(dir);
    assert.deepEqual([before.model, before.checkpoint.name, before.checkpoint.epoch, before.checkpoint.batch, before.test.count], ['mnist-cnn', 'last', 1, 404, 50]);

    const r = await runCli(['train', '--resume', dir, '--epochs', '3', '--progress', 'none']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /resuming mnist-cnn on mnist:embedded from .*checkpoints\/last \(epoch 2, batch 404\/1000\), 3 epochs/);
    assert.equal(await runDirState(dir), 'finished');
    const result = await readRunResult(dir);
    assert.equal(result.epochs, 3);
    assert.equal(result.test_count, 50, 'result.json now records how many test images were scored');
    assert.ok(result.test_accuracy >= 0 && result.test_accuracy <= 1);
    assert.deepEqual((await readRunMetrics(dir)).map((m) => m.epoch), [1, 2, 3]);
    assert.equal((await readRunStatus(dir))?.state, 'completed');

    const after = await reportJson(dir);
    assert.deepEqual([after.checkpoint.epoch, after.test.count, after.result.epochs], [3, 50, 3]);
    assert.equal(after.test.accuracy, result.test_accuracy, 'the report scores the weights the run was scored with');
  } finally {
    await fs.rm(path.dirname(dir), { recursive: true, force: true });
  }
});

test('a finished run of 2026-12 (result.json without test_count) reads in compare and the dashboard', async () => {
  const dir = path.join(OLD, 'finished');
  const result = await readRunResult(dir);
  assert.equal(result.test_count, undefined);
  assert.equal(result.model, 'mnist-cnn');
  assert.equal(await runDirState(dir), 'finished');
  const [s] = await summariseRuns([dir]);
  assert.deepEqual([s.model, s.epochs, s.test_accuracy], ['mnist-cnn', 2, result.test_accuracy]);
  assert.equal(typeof s.best_val_accuracy, 'number');
  const w = await summariseRun(OLD, dir);
  assert.deepEqual([w.id, w.state, w.epoch, w.epochs, w.testAccuracy, w.metricsCount], ['finished', 'completed', 2, 2, result.test_accuracy, 2]);
});
