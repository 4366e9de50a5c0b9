import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { comparisonMarkdown, comparisonTable, summariseRuns } from './compare.js';

async function fakeRun(dir: string, model: string, acc: number, vals: number[]) {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'result.json'), JSON.stringify({ model, data: 'mnist:embedded', backend: 'cpu', epochs: vals.length, test_accuracy: acc, test_loss: 0.3, duration_s: 12.5, images_per_s: 640 }));
  await fs.writeFile(path.join(dir, 'metrics.jsonl'), vals.map((v, i) => JSON.stringify({ epoch: i + 1, val_accuracy: v })).join('\n') + '\n');
}

test('compare: one row per run with the best validation accuracy from metrics.jsonl; missing result.json is named', async () => {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-compare-'));
  await fakeRun(path.join(tmp, 'a'), 'mnist-dnn', 0.9, [0.8, 0.93, 0.9]);
  await fakeRun(path.join(tmp, 'b'), 'mnist-cnn', 0.95, [0.95]);
  const s = await summariseRuns([path.join(tmp, 'a'), path.join(tmp, 'b')]);
  assert.deepEqual(s.map((r) => r.best_val_accuracy), [0.93, 0.95]);
  const t = comparisonTable(s).split('\n');
  assert.equal(t.length, 3);
  assert.match(t[1], /^mnist-dnn\s+mnist:embedded\s+90\.00 %/);
  const md = comparisonMarkdown(s, 'T');
  assert.match(md, /^# T\n/);
  assert.match(md, /\| mnist-cnn \| mnist:embedded \| 95\.00 % \| 0\.3000 \| 95\.00 % \| 1 \| 12\.5 s \| 640 \| cpu \|/);
  await fs.mkdir(path.join(tmp, 'unfinished'));
  await assert.rejects(summariseRuns([path.join(tmp, 'unfinished')]), /unfinished\/result\.json: not a finished run/);
  // a result.json handed over by someone else may hold anything: one error naming the file and the field, no TypeError
  await fs.mkdir(path.join(tmp, 'null'));
  await fs.writeFile(path.join(tmp, 'null', 'result.json'), 'null');
  await assert.rejects(summariseRuns([path.join(tmp, 'null')]), /null\/result\.json: not a convkit result: not a JSON object/);
  await fs.mkdir(path.join(tmp, 'bad'));
  await fs.writeFile(path.join(tmp, 'bad', 'result.json'), JSON.stringify({ model: 'x', data: 'y', backend: 'cpu', epochs: 1, test_accuracy: '0.9', test_loss: 0.3, duration_s: 1, images_per_s: 1 }));
  await assert.rejects(summariseRuns([path.join(tmp, 'bad')]), /bad\/result\.json: not a convkit result: test_accuracy: expected a number/);
  await fs.rm(tmp, { recursive: true });
});
