import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { learningRate } from '../loop.js';
import type { TrainingContext } from './callback.js';
import { ReduceLROnPlateau } from './reduce-lr.js';

await selectBackend('cpu'); // tfjs needs a backend to run ops; explicit, as importing convkit sets none

const ctx = (): TrainingContext => ({ epochs: 20, stepsPerEpoch: 1, trainCount: 1, batchSize: 1, stopTraining: false });
const logs = (epoch: number, val_loss: number) => ({ epoch, loss: 1, accuracy: 0.5, val_loss, seconds: 1, images_per_s: 1 });

function compiled(optimizer: tf.Optimizer): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: 'zeros' }));
  m.compile({ optimizer, loss: 'meanSquaredError' });
  return m;
}

/** One training step on a 1-weight model: how far the weight moved. */
async function stepSize(model: tfl.LayersModel): Promise<number> {
  const before = model.getWeights()[0].dataSync()[0];
  await model.trainOnBatch(tf.tensor2d([[1]]), tf.tensor2d([[1]]));
  return Math.abs(model.getWeights()[0].dataSync()[0] - before);
}

test('multiplies the learning rate by factor after patience epochs without improvement, down to min_lr', () => {
  const model = compiled(tf.train.adam(0.1));
  const cb = new ReduceLROnPlateau({ model, patience: 2, factor: 0.5, minLr: 0.03 });
  const c = ctx();
  const lrs: number[] = [];
  [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0].forEach((v, i) => {
    cb.onEpochEnd(i + 1, logs(i + 1, v), c);
    lrs.push(learningRate(model)!);
  });
  assert.deepEqual(lrs, [0.1, 0.1, 0.05, 0.05, 0.03, 0.03, 0.03]);
});

test('an improvement resets the patience counter', () => {
  const model = compiled(tf.train.adam(0.1));
  const cb = new ReduceLROnPlateau({ model, patience: 2 });
  const c = ctx();
  [1.0, 1.0, 0.5, 0.5].forEach((v, i) => cb.onEpochEnd(i + 1, logs(i + 1, v), c));
  assert.equal(learningRate(model), 0.1);
});

test('the optimizer really uses the reduced rate (Adam reads the field; SGD caches it and needs setLearningRate)', async () => {
  for (const [name, make] of [['adam', () => tf.train.adam(0.1)], ['sgd', () => tf.train.sgd(0.1)]] as const) {
    const model = compiled(make());
    const cb = new ReduceLROnPlateau({ model, patience: 1, factor: 0.1 });
    const c = ctx();
    cb.onEpochEnd(1, logs(1, 1), c);
    cb.onEpochEnd(2, logs(2, 1), c);
    assert.ok(Math.abs(learningRate(model)! - 0.01) < 1e-12, name);
    const moved = await stepSize(model);
    // Adam's first step moves each weight by ≈ lr; SGD on (w·1 − 1)² from w = 0 moves by lr · 2.
    const expected = name === 'adam' ? 0.01 : 0.02;
    assert.ok(Math.abs(moved - expected) < expected * 1e-3, `${name}: moved ${moved}, expected ${expected}`);
  }
});

test('state round-trips (wait counter and cooldown)', () => {
  const model = compiled(tf.train.adam(0.1));
  const a = new ReduceLROnPlateau({ model, patience: 3, cooldown: 1 });
  const c = ctx();
  [1.0, 1.0].forEach((v, i) => a.onEpochEnd(i + 1, logs(i + 1, v), c));
  const b = new ReduceLROnPlateau({ model, patience: 3, cooldown: 1 });
  b.setState(JSON.parse(JSON.stringify(a.getState())));
  b.onEpochEnd(3, logs(3, 1.0), c);
  b.onEpochEnd(4, logs(4, 1.0), c);
  assert.ok(Math.abs(learningRate(model)! - 0.01) < 1e-12);
});
