// A training run whose weights go NaN (learning rate 1e30) stops through TerminateOnNaN on the
// native `onednn` backend exactly as on `cpu`: same epoch and batch, run marked failed. On
// `onednn` this needs NaN to propagate through its native kernels (relu, softmax, ...) the way
// tfjs-cpu propagates it; a kernel that turned NaN into 0 would keep the loss finite.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { trainRun } from '../run.js';

async function divergedReason(backend: string, base: string): Promise<string> {
  const config = {
    model: 'mnist-cnn', epochs: 2, batchSize: 16, limitTrain: 64, limitTest: 16, seed: 3, lr: 1e30,
    backend, progress: 'none' as const, out: path.join(base, backend),
  };
  let message = '';
  await assert.rejects(trainRun(config, { log: () => {}, epochLines: false }), (e: Error) => {
    message = e.message;
    return /training diverged/.test(e.message);
  });
  // The message starts with the run folder, which differs; the rest must not.
  return message.slice(message.indexOf('loss became'));
}

test('a run whose weights go NaN stops through TerminateOnNaN on onednn as on cpu', async () => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-nan-'));
  try {
    const cpu = await divergedReason('cpu', base);
    const onednn = await divergedReason('onednn', base);
    assert.match(cpu, /^loss became NaN at epoch 1, batch \d+\/4: training diverged/);
    assert.equal(onednn, cpu);
  } finally {
    await fs.rm(base, { recursive: true, force: true });
  }
});
