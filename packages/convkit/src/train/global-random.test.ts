import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { trainRun } from './run.js';

test('training routes Math.random through its seeded stream only while it runs, however it ends', async () => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-random-'));
  const original = Math.random;
  let seenDuringTraining: (() => number) | null = null;
  const spy = { onEpochEnd: () => void (seenDuringTraining = Math.random) };
  const config = { model: 'mnist-dnn', epochs: 1, batchSize: 32, limitTrain: 64, limitTest: 32, backend: 'cpu', progress: 'none' as const };
  await trainRun({ ...config, out: path.join(base, 'ok') }, { log: () => {}, epochLines: false, callbacks: [spy] });
  assert.notEqual(seenDuringTraining, original, 'seeded during training');
  assert.equal(Math.random, original, 'restored after a completed run');
  await assert.rejects(trainRun({ ...config, lr: 1e30, out: path.join(base, 'nan') }, { log: () => {}, epochLines: false }), /training diverged/);
  assert.equal(Math.random, original, 'restored after a failed run');
  await fs.rm(base, { recursive: true, force: true });
});
