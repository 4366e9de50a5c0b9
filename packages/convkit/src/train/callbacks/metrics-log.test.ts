import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { bestEpoch, readMetricRows, readMetrics, truncateMetrics } from '../../run/metrics.js';
import { MetricsLog } from './metrics-log.js';

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

test('bestEpoch: first epoch reaching the max of an accuracy, the min of a loss; unlogged and NaN values skipped', () => {
  const rows = [
    { epoch: 1, loss: 1, accuracy: 0.5, seconds: 1, images_per_s: 1, val_accuracy: 0.7, val_loss: 0.9 },
    { epoch: 2, loss: 1, accuracy: 0.5, seconds: 1, images_per_s: 1, val_accuracy: NaN, val_loss: 0.4 },
    { epoch: 3, loss: 1, accuracy: 0.5, seconds: 1, images_per_s: 1, val_accuracy: 0.8, val_loss: 0.6 },
    { epoch: 4, loss: 1, accuracy: 0.5, seconds: 1, images_per_s: 1, val_accuracy: 0.8, val_loss: 0.4 },
    { epoch: 5, loss: 1, accuracy: 0.5, seconds: 1, images_per_s: 1 },
  ];
  assert.equal(bestEpoch(rows)?.epoch, 3);
  assert.equal(bestEpoch(rows, 'val_loss')?.epoch, 2);
  assert.equal(bestEpoch(rows, 'nothing'), undefined);
  assert.equal(bestEpoch([]), undefined);
});

test('readMetricRows skips a torn last line; readMetrics refuses it', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-rows-'));
  const file = path.join(dir, 'metrics.jsonl');
  await fs.writeFile(file, '{"epoch":1,"val_accuracy":0.5}\n{"epoch":2,"val_acc');
  assert.deepEqual((await readMetricRows(file)).map((r) => r.epoch), [1]);
  await assert.rejects(readMetrics(file));
  assert.deepEqual(await readMetricRows(path.join(dir, 'missing.jsonl')), []);
  await fs.rm(dir, { recursive: true });
});
