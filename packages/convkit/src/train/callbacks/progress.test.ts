import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { TrainingContext } from './callback.js';
import { EpochLine } from './epoch-line.js';
import { ProgressBar, progressCallback } from './progress.js';

function terminal(isTTY: boolean) {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  s.isTTY = isTTY;
  s.columns = 160;
  let text = '';
  s.on('data', (d) => (text += d.toString()));
  return { stream: s, text: () => text };
}

test('on a terminal: a bar with ETA, img/s, running loss and accuracy, then the epoch line', async () => {
  const t = terminal(true);
  const bar = new ProgressBar(t.stream);
  const ctx: TrainingContext = { epochs: 2, stepsPerEpoch: 4, trainCount: 64, batchSize: 16, stopTraining: false, batchInEpoch: 0 };
  bar.onEpochBegin(1, ctx);
  let lossSum = 0;
  for (let b = 0; b < 4; b++) {
    lossSum += (2 - b * 0.25) * 16;
    ctx.epochProgress = { epoch: 1, batch: b + 1, lossSum, accSum: 0.5 * 16 * (b + 1), seen: 16 * (b + 1), seconds: 0.1 * (b + 1) };
    await new Promise((r) => setTimeout(r, 5));
    bar.onBatchEnd(1, { batch: b, size: 16, loss: 2 - b * 0.25, accuracy: 0.5 }, ctx);
  }
  bar.onEpochEnd(1, { epoch: 1, loss: lossSum / 64, accuracy: 0.5, val_loss: 1.5, val_accuracy: 0.6, seconds: 0.4, images_per_s: 160 }, ctx);
  const out = t.text();
  assert.match(out, /epoch 1\/2 .*\d+\/4 \| ETA \S+ \| \d+ img\/s \| loss 1\.\d{4} \| acc 0\.5000/);
  assert.match(out, /epoch 1\/2 {2}loss 1\.6250 {2}acc 0\.5000 {2}val_loss 1\.5000 {2}val_acc 0\.6000/);
});

test('--progress auto picks the bar on a terminal and plain lines elsewhere; none prints nothing', () => {
  assert.ok(progressCallback('auto', terminal(true).stream) instanceof ProgressBar);
  assert.ok(progressCallback('auto', terminal(false).stream) instanceof EpochLine);
  assert.ok(progressCallback('bar', terminal(false).stream) instanceof ProgressBar);
  assert.equal(progressCallback('none', terminal(true).stream), null);
});
