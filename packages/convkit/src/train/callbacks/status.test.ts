import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { TrainingContext } from './callback.js';
import { spawnSync } from 'node:child_process';
import { effectiveState, readStatus } from '../../run/status.js';
import { StatusFile } from './status.js';

test('status.json follows the run: running with pid/epoch/batch, then its final state and message', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-status-'));
  const file = path.join(dir, 'status.json');
  const s = new StatusFile(file, { epochs: 3, intervalMs: 0 });
  const ctx: TrainingContext = { epochs: 3, stepsPerEpoch: 10, trainCount: 100, batchSize: 10, stopTraining: false };
  await s.onTrainBegin(ctx);
  let st = await readStatus(file);
  assert.equal(st?.state, 'running');
  assert.equal(st?.pid, process.pid);
  assert.equal(st?.batches, 10);
  ctx.batchInEpoch = 4;
  await s.onBatchEnd(2, {}, ctx);
  st = await readStatus(file);
  assert.deepEqual([st?.epoch, st?.batch], [2, 4]);
  await s.onEpochEnd(2, { epoch: 2, loss: 0.5, accuracy: 0.8, seconds: 1, images_per_s: 100 }, ctx);
  await s.finish('interrupted', 'interrupted by SIGINT');
  st = await readStatus(file);
  assert.equal(st?.state, 'interrupted');
  assert.equal(st?.message, 'interrupted by SIGINT');
  assert.equal(st?.last?.loss, 0.5);
  assert.ok(Date.parse(st!.updated) >= Date.parse(st!.started));
  assert.deepEqual(await fs.readdir(dir), ['status.json'], 'no temporary file left behind');
});

test('resumed runs say where they resumed from', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-status-'));
  const s = new StatusFile(path.join(dir, 'status.json'), { epochs: 5, resumedFrom: { epoch: 2, batch: 7 } });
  await s.write();
  const st = await readStatus(path.join(dir, 'status.json'));
  assert.deepEqual(st?.resumedFrom, { epoch: 2, batch: 7 });
  assert.equal(await readStatus(path.join(dir, 'missing.json')), null);
});

test('a run marked running whose process is gone reads as killed', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-status-'));
  const s = new StatusFile(path.join(dir, 'status.json'), { epochs: 2 });
  await s.write();
  const st = (await readStatus(path.join(dir, 'status.json')))!;
  assert.equal(effectiveState(st), 'running'); // this very process
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  assert.equal(effectiveState({ ...st, pid: Number(dead.stdout) }), 'killed');
  assert.equal(effectiveState({ ...st, pid: Number(dead.stdout), host: 'another-host' }), 'running');
  assert.equal(effectiveState({ ...st, state: 'completed' }), 'completed');
});
