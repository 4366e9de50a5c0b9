import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { extended } from '../../test-support/extended.js';
import { mnistDir } from '../../test-support/paths.js';
import { encodeIdx, readIdxPair } from '../datasets/idx.js';
import { trainRun } from './run.js';

// Issue 2's acceptance test: the Fidle CNN on real MNIST digits (the published test set cut 8k/2k) reaches ≥ 90 %.
test('mnist-cnn trained on 8,000 real MNIST digits scores ≥ 0.90 on 2,000 others', { ...extended(mnistDir), timeout: 15 * 60_000 }, async () => {
  const src = await readIdxPair(path.join(mnistDir, 't10k-images-idx3-ubyte.gz'), path.join(mnistDir, 't10k-labels-idx1-ubyte.gz'));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-mnist8k-'));
  const px = 784;
  await fs.writeFile(path.join(dir, 'train-images-idx3-ubyte'), encodeIdx([8000, 28, 28], src.x.subarray(0, 8000 * px)));
  await fs.writeFile(path.join(dir, 'train-labels-idx1-ubyte'), encodeIdx([8000], Uint8Array.from(src.y.subarray(0, 8000))));
  await fs.writeFile(path.join(dir, 't10k-images-idx3-ubyte'), encodeIdx([2000, 28, 28], src.x.subarray(8000 * px)));
  await fs.writeFile(path.join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([2000], Uint8Array.from(src.y.subarray(8000))));
  const out = path.join(dir, 'run');
  const logs: string[] = [];
  const result = await trainRun(
    { model: 'mnist-cnn', data: dir, out, epochs: 4, batchSize: 128, seed: 1, backend: 'auto' },
    { log: (m) => logs.push(m) },
  );
  assert.ok(result.test_accuracy >= 0.9, `test accuracy ${result.test_accuracy} (${result.backend})\n${logs.join('\n')}`);
  assert.equal(result.epochs, 4);
  const saved = JSON.parse(await fs.readFile(path.join(out, 'result.json'), 'utf8'));
  assert.equal(saved.test_accuracy, result.test_accuracy);
  await fs.rm(dir, { recursive: true });
});
