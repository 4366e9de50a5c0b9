import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { scoredCheckpoint } from './analysis.js';

const RESULT = { model: 'mnist-cnn', data: 'mnist:embedded', backend: 'cpu', epochs: 5, test_accuracy: 0.9, test_loss: 0.3, duration_s: 1, images_per_s: 1 };

test('a report analyses by default the weights the run was scored with (result.json selected), else last', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-scored-'));
  assert.equal(await scoredCheckpoint(dir), 'last', 'no result.json yet');
  await fs.writeFile(path.join(dir, 'result.json'), JSON.stringify({ ...RESULT, selected: { checkpoint: 'best', epoch: 3 } }));
  assert.equal(await scoredCheckpoint(dir), 'best');
  await fs.writeFile(path.join(dir, 'result.json'), JSON.stringify({ ...RESULT, selected: { checkpoint: 'last', epoch: 5 } }));
  assert.equal(await scoredCheckpoint(dir), 'last');
  await fs.writeFile(path.join(dir, 'result.json'), '{ torn');
  assert.equal(await scoredCheckpoint(dir), 'last');
  await fs.rm(dir, { recursive: true });
});
