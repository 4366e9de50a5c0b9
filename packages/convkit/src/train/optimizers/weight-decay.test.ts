import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { skipOrRequire } from '../../../../../scripts/required-tools.mjs';
import { nativeAdam, probeNativeBackend, selectBackend } from '../backend.js';
import { withDecoupledWeightDecay } from './weight-decay.js';

/** A 1→1 dense layer with w = 1, b = 0.5, on x = 1, target 1.5: zero gradient, so only the decay moves the weights. */
async function oneStep(opt: tf.Optimizer): Promise<[number, number]> {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'ones', biasInitializer: tfl.initializers.constant({ value: 0.5 }) }));
  m.compile({ optimizer: opt, loss: 'meanSquaredError' });
  await m.trainOnBatch(tf.tensor2d([[1]]), tf.tensor2d([[1.5]]));
  const [w, b] = m.getWeights().map((t) => t.dataSync()[0]);
  m.dispose();
  return [w, b];
}

test('decoupled weight decay: w ← w·(1 − lr·wd) on kernels only (SGD and Adam, hand computation)', async () => {
  await selectBackend('cpu');
  for (const [name, make] of [['sgd', () => tf.train.sgd(0.1)], ['adam', () => tf.train.adam(0.1)]] as const) {
    const [w, b] = await oneStep(withDecoupledWeightDecay(make(), 0.5));
    assert.ok(Math.abs(w - 0.95) < 1e-6, `${name}: kernel ${w}, want 1·(1 − 0.1·0.5) = 0.95`);
    assert.equal(b, 0.5, `${name}: the bias is not decayed`);
  }
});

test('decoupled weight decay on the native Adam (onednn)', async (t) => {
  const probe = await probeNativeBackend();
  if (skipOrRequire(t, 'onednn', probe.ok ? null : probe.why)) return;
  await selectBackend('onednn');
  const opt = nativeAdam(0.1)!;
  const [w, b] = await oneStep(withDecoupledWeightDecay(opt, 0.5));
  assert.ok(Math.abs(w - 0.95) < 1e-6, `kernel ${w}`);
  assert.ok(Math.abs(b - 0.5) < 1e-6, `bias ${b}`);
  assert.ok((opt as unknown as { nativeSteps: number }).nativeSteps >= 1, 'the native update ran');
  await selectBackend('cpu');
});
