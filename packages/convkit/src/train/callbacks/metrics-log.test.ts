import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { MetricsLog, readMetrics, truncateMetrics } from './metrics-log.js';

const row = (epoch: number) => ({ epoch, loss: 1 / epoch, accuracy: 0.1 * epoch, seconds: 1, images_per_s: 10 });

test('appends one line per epoch; on resume keeps epochs up to the checkpoint once and drops a torn line', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-metrics-'));
  const file = path.join(dir, 'metrics.jsonl');
  const log = new MetricsLog(file);
  for (const e of [1, 2, 3]) await log.onEpochEnd(e, row(e));
  await fs.appendFile(file, '{"epoch":4,"loss":0.2'); // killed while writing epoch 4
  assert.deepEqual(await truncateMetrics(file, 2), [row(1), row(2)]);
  assert.deepEqual(await readMetrics(file), [row(1), row(2)]);
  await log.onEpochEnd(3, row(3));
  assert.deepEqual((await readMetrics(file)).map((r) => r.epoch), [1, 2, 3]);
  assert.deepEqual(await truncateMetrics(path.join(dir, 'none.jsonl'), 0), []);
});
