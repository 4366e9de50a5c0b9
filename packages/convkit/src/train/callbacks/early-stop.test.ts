import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend.js';
import * as tfl from '@tensorflow/tfjs-layers';
import type { TrainingContext } from './callback.js';
import { EarlyStopping } from './early-stop.js';

await selectBackend('cpu'); // tfjs needs a backend to run ops; explicit, as importing convkit sets none

const ctx = (): TrainingContext => ({ epochs: 20, stepsPerEpoch: 1, trainCount: 1, batchSize: 1, stopTraining: false });
const logs = (epoch: number, val_loss: number) => ({ epoch, loss: 1, accuracy: 0.5, val_loss, seconds: 1, images_per_s: 1 });

function tinyModel(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ units: 2, inputShape: [3] }));
  return m;
}
/** Puts a recognisable value into every weight: epoch k → all weights = k. */
const stamp = (m: tfl.LayersModel, k: number) => m.setWeights(m.getWeights().map((w) => tf.fill(w.shape, k)));

test('stops after `patience` epochs without improvement, names the metric and best epoch', () => {
  const model = tinyModel();
  const es = new EarlyStopping({ model, patience: 2 });
  const c = ctx();
  const seq = [1.0, 0.8, 0.85, 0.9, 0.7];
  let stoppedAt = 0;
  for (let i = 0; i < seq.length && !c.stopTraining; i++) {
    es.onEpochEnd(i + 1, logs(i + 1, seq[i]), c);
    if (c.stopTraining) stoppedAt = i + 1;
  }
  assert.equal(stoppedAt, 4);
  assert.equal(es.stoppedEpoch, 4);
  assert.match(c.stopReason!, /val_loss did not improve for 2 epochs \(best 0\.8 at epoch 2\)/);
});

test('min_delta: improvements smaller than min_delta count as no improvement', () => {
  const es = new EarlyStopping({ model: tinyModel(), patience: 2, minDelta: 0.1 });
  const c = ctx();
  [1.0, 0.95, 0.92].forEach((v, i) => es.onEpochEnd(i + 1, logs(i + 1, v), c));
  assert.ok(c.stopTraining);
});

test('restore best: the model gets back the weights of the best epoch when stopping', () => {
  const model = tinyModel();
  const es = new EarlyStopping({ model, patience: 2, restoreBest: true });
  const c = ctx();
  const seq = [1.0, 0.5, 0.6, 0.7];
  seq.forEach((v, i) => {
    stamp(model, i + 1);
    es.onEpochEnd(i + 1, logs(i + 1, v), c);
  });
  assert.ok(c.stopTraining);
  for (const w of model.getWeights()) assert.ok(Array.from(w.dataSync()).every((x) => x === 2));
  assert.match(c.stopReason!, /restored the weights of epoch 2/);
});

test('state (counters and best weights) survives a checkpoint round trip', () => {
  const model = tinyModel();
  const a = new EarlyStopping({ model, patience: 3, restoreBest: true });
  const c = ctx();
  stamp(model, 5);
  a.onEpochEnd(1, logs(1, 0.3), c);
  stamp(model, 6);
  a.onEpochEnd(2, logs(2, 0.4), c);
  const b = new EarlyStopping({ model, patience: 3, restoreBest: true });
  b.setState(JSON.parse(JSON.stringify(a.getState())));
  b.setStateTensors(a.getStateTensors().map((t) => t.tensor.clone()));
  stamp(model, 7);
  b.onEpochEnd(3, logs(3, 0.5), c);
  b.onEpochEnd(4, logs(4, 0.5), c);
  assert.ok(c.stopTraining, 'wait counter carried over: 2 + 2 epochs ≥ patience 3');
  assert.equal(b.stoppedEpoch, 4);
  for (const w of model.getWeights()) assert.ok(Array.from(w.dataSync()).every((x) => x === 5));
});
