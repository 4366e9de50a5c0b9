import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { EpochLogs } from './callbacks/callback.js';
import { cycledOrder, epochOrder } from './loop.js';
import { trainRun } from './run.js';

test('cycledOrder: consecutive epochs are consecutive stretches of shuffled passes, one pass per epoch when steps·batch = n', () => {
  const n = 10;
  for (let e = 1; e <= 3; e++) assert.deepEqual(cycledOrder(7, e, n, 5, 2), epochOrder(7, e, n));
  // 4 batches of 4 = 16 visits per epoch over 10 images: epochs 1..5 cover 8 whole passes, each a permutation.
  const stream = [1, 2, 3, 4, 5].flatMap((e) => [...cycledOrder(3, e, n, 4, 4)]);
  assert.equal(stream.length, 80);
  for (let p = 0; p < 8; p++) {
    const pass = stream.slice(p * n, (p + 1) * n);
    assert.deepEqual(pass, [...epochOrder(3, p + 1, n)], `pass ${p + 1}`);
  }
  assert.deepEqual(cycledOrder(3, 2, n, 4, 4), cycledOrder(3, 2, n, 4, 4), 'a pure function (exact resume)');
});

test('--steps-per-epoch: every epoch is that many full batches over a set smaller than one of them', async () => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-steps-'));
  const seen: { epoch: number; batches: number; images: number }[] = [];
  let batches = 0, images = 0;
  const spy = {
    onBatchEnd: (_e: number, b: { size: number }) => void ((batches += 1), (images += b.size)),
    onEpochEnd: (epoch: number, _l: EpochLogs) => void (seen.push({ epoch, batches, images }), (batches = 0), (images = 0)),
  };
  const config = { model: 'mnist-dnn', epochs: 2, batchSize: 16, stepsPerEpoch: 5, limitTrain: 20, limitTest: 32, backend: 'cpu', progress: 'none' as const };
  const logs: string[] = [];
  await trainRun({ ...config, out: path.join(base, 'run') }, { log: (m) => logs.push(m), epochLines: false, callbacks: [spy] });
  assert.deepEqual(seen, [{ epoch: 1, batches: 5, images: 80 }, { epoch: 2, batches: 5, images: 80 }]);
  assert.match(logs.join('\n'), /20 train.*2 epochs of 5 steps, batch 16/);
  await fs.rm(base, { recursive: true, force: true });
});
