import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend.js';
import { smoothedCategoricalCrossentropy } from './label-smoothing.js';

await selectBackend('cpu'); // tfjs needs a backend to run ops; explicit, as importing convkit sets none

test('label smoothing against a hand computation', async () => {
  const yTrue = tf.tensor2d([[0, 1, 0]]);
  const yPred = tf.tensor2d([[0.2, 0.7, 0.1]]);
  // ε = 0.3, K = 3: targets [0.1, 0.8, 0.1]; −(0.1 ln 0.2 + 0.8 ln 0.7 + 0.1 ln 0.1)
  const want = -(0.1 * Math.log(0.2) + 0.8 * Math.log(0.7) + 0.1 * Math.log(0.1));
  const got = (await smoothedCategoricalCrossentropy(0.3)(yTrue, yPred).data())[0];
  assert.ok(Math.abs(got - want) < 1e-6, `${got} vs ${want}`);
  // ε = 0 is the plain cross-entropy −ln 0.7
  const plain = (await smoothedCategoricalCrossentropy(0)(yTrue, yPred).data())[0];
  assert.ok(Math.abs(plain + Math.log(0.7)) < 1e-6);
  assert.throws(() => smoothedCategoricalCrossentropy(1));
});
