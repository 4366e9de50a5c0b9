import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { trainRun } from '../run.js';

test('cosine schedule, label smoothing and weight decay run end to end; metrics.jsonl records each epoch\'s last-step lr', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-sched-'));
  const out = path.join(dir, 'run');
  // 40 images, batch 20: 2 steps per epoch, 6 in all; lr 0.1·(1 + cos(π·t/6))/2 at the epochs' last steps t = 1, 3, 5
  await trainRun(
    { model: 'mnist-dnn', out, epochs: 3, batchSize: 20, lr: 0.1, limitTrain: 40, limitTest: 20, lrSchedule: 'cosine', labelSmoothing: 0.1, weightDecay: 0.01, backend: 'cpu', progress: 'none' },
    { log: () => {} },
  );
  const lrs = (await fs.readFile(path.join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).lr as number);
  const want = [1, 3, 5].map((t) => (0.1 * (1 + Math.cos((Math.PI * t) / 6))) / 2);
  assert.equal(lrs.length, 3);
  lrs.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-9, `epoch ${i + 1}: lr ${v}, want ${want[i]}`));
  const config = JSON.parse(await fs.readFile(path.join(out, 'config.json'), 'utf8'));
  assert.equal(config.lrSchedule, 'cosine');
  assert.equal(config.labelSmoothing, 0.1);
  await fs.rm(dir, { recursive: true });
});
