import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Monitor, resolveMode } from './monitor.js';

const logs = (epoch: number, m: Record<string, number>) => ({ epoch, loss: 0, accuracy: 0, seconds: 1, images_per_s: 1, ...m });

test('auto mode follows the metric name like Keras', () => {
  assert.equal(resolveMode('val_accuracy'), 'max');
  assert.equal(resolveMode('accuracy'), 'max');
  assert.equal(resolveMode('val_loss'), 'min');
  assert.equal(resolveMode('loss'), 'min');
  assert.equal(resolveMode('val_loss', 'max'), 'max');
});

test('max mode keeps the best value and counts epochs without improvement', () => {
  const m = new Monitor('val_accuracy');
  const seq = [0.5, 0.7, 0.69, 0.7, 0.8, 0.75];
  const improved = seq.map((v, i) => m.update(i + 1, logs(i + 1, { val_accuracy: v })));
  assert.deepEqual(improved, [true, true, false, false, true, false]);
  assert.equal(m.best, 0.8);
  assert.equal(m.bestEpoch, 5);
  assert.equal(m.wait, 1);
});

test('min_delta: smaller gains are not improvements', () => {
  const m = new Monitor('val_loss', { minDelta: 0.05 });
  assert.ok(m.update(1, logs(1, { val_loss: 1.0 })));
  assert.ok(!m.update(2, logs(2, { val_loss: 0.96 })));
  assert.ok(m.update(3, logs(3, { val_loss: 0.94 })));
  assert.equal(m.wait, 0);
  assert.equal(m.best, 0.94);
});

test('NaN never improves; a missing metric is a clear error', () => {
  const m = new Monitor('val_loss');
  assert.ok(m.update(1, logs(1, { val_loss: 1 })));
  assert.ok(!m.update(2, logs(2, { val_loss: NaN })));
  assert.throws(() => m.update(3, logs(3, {})), /monitored metric "val_loss" is not logged/);
});

test('state round-trips', () => {
  const a = new Monitor('val_accuracy');
  a.update(1, logs(1, { val_accuracy: 0.3 }));
  a.update(2, logs(2, { val_accuracy: 0.2 }));
  const b = new Monitor('val_accuracy');
  b.setState(JSON.parse(JSON.stringify(a.getState())));
  assert.deepEqual(b.getState(), { best: 0.3, bestEpoch: 1, wait: 1 });
});
