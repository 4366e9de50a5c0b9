import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrainingContext } from './callback.js';
import { TerminateOnNaN } from './terminate-on-nan.js';

const ctx = (): TrainingContext => ({ epochs: 5, stepsPerEpoch: 20, trainCount: 320, batchSize: 16, stopTraining: false });

test('a finite loss does not stop; NaN and Infinity stop and fail the run, naming epoch and batch', () => {
  const cb = new TerminateOnNaN();
  const c = ctx();
  cb.onBatchEnd(1, { batch: 0, size: 16, loss: 2.3, accuracy: 0.1 }, c);
  assert.equal(c.stopTraining, false);
  for (const bad of [NaN, Infinity]) {
    const c2 = ctx();
    cb.onBatchEnd(3, { batch: 6, size: 16, loss: bad, accuracy: 0.1 }, c2);
    assert.equal(c2.stopTraining, true);
    assert.equal(c2.failed, true);
    assert.match(c2.stopReason!, new RegExp(`loss became ${bad} at epoch 3, batch 7/20`));
  }
});
