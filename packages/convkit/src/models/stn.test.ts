import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { skipOrRequire } from '../../../../scripts/required-tools.mjs';
import { exportOnnx } from '../export/onnx.js';
import { loadPredictor } from '../inference/predictor.js';
import { assertNativeTrainingStep } from '../../test-support/native-step.js';
import { probeNativeBackend, selectBackend } from '../train/backend.js';
import { buildModel, listGraphModels } from './index.js';
import { loadModel, saveModel } from './io.js';
import { ConvkitSpatialTransformer } from './layers/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'convkit-stn-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
/** The spatial transformer's output (the image the classifier sees) for x. */
const warped = (m: tfl.LayersModel, x: tf.Tensor) => tfl.model({ inputs: m.inputs, outputs: m.getLayer('stn').output as tfl.SymbolicTensor }).predict(x) as tf.Tensor;

test('gtsrb-stn-wide: gtsrb-resnet-wide plus 86,918 localisation parameters; starts at the identity transform', async () => {
  await selectBackend('cpu');
  const m = await buildModel('gtsrb-stn-wide', { inputShape: [32, 32, 3], numClasses: 43 });
  const wide = await buildModel('gtsrb-resnet-wide', { inputShape: [32, 32, 3], numClasses: 43 });
  // loc_conv1 5·5·3·32 + 32, loc_conv2 3·3·32·64 + 64, loc_fc (4·4·64)·64 + 64, loc_theta 64·6 + 6
  assert.equal(m.countParams() - wide.countParams(), 2432 + 18_496 + 65_600 + 390);
  const [kernel, bias] = m.getLayer('loc_theta').getWeights();
  assert.deepEqual(Array.from(bias.dataSync()), [1, 0, 0, 0, 1, 0]);
  assert.ok(kernel.dataSync().every((v) => v === 0));
  const x = tf.randomUniform([3, 32, 32, 3], 0, 1, 'float32', 5);
  assert.ok(maxDiff(warped(m, x), x) < 1e-5, 'the identity theta resamples every pixel onto itself');
  assert.deepEqual((m.predict(tf.slice(x, 0, 1)) as tf.Tensor).shape, [1, 43]);
  assert.ok(!listGraphModels().some((s) => s.name === 'gtsrb-stn-wide'), 'not offered to the inference graph');
  await assert.rejects(buildModel('gtsrb-stn-wide', { inputShape: [6, 6, 3], numClasses: 43 }), /gtsrb-stn-wide: the image size 6×6 is below/);
  tf.dispose([x]);
  for (const mm of [m, wide]) mm.dispose();
});

test('ConvkitSpatialTransformer: a shift of theta moves the image; outputSize; bad configurations refused', async () => {
  await selectBackend('cpu');
  const image = tfl.input({ shape: [4, 6, 1] }), theta = tfl.input({ shape: [6] });
  const half = new ConvkitSpatialTransformer({ outputSize: [2, 3] });
  const m = tfl.model({ inputs: [image, theta], outputs: half.apply([image, theta]) as tfl.SymbolicTensor });
  const x = tf.tensor4d(Array.from({ length: 24 }, (_, i) => i), [1, 4, 6, 1]);
  // x' = x + 2/6 reads one pixel to the right (normalised width 2 over 6 pixels); at 2×3 the centres fall between pixels
  const shifted = m.predict([x, tf.tensor2d([[1, 0, 2 / 6, 0, 1, 0]])]) as tf.Tensor;
  assert.deepEqual(shifted.shape, [1, 2, 3, 1]);
  // output (0, 0) is at input (0.5, 0.5) + 1 column: the mean of pixels (0,1), (0,2), (1,1), (1,2) = (1 + 2 + 7 + 8) / 4
  assert.ok(Math.abs(shifted.dataSync()[0] - 4.5) < 1e-5, `got ${shifted.dataSync()[0]}`);
  assert.deepEqual(half.getConfig().outputSize, [2, 3]);
  assert.throws(() => new ConvkitSpatialTransformer({ outputSize: [0, 3] }), /outputSize must be \[height, width\] of positive integers/);
  assert.throws(() => new ConvkitSpatialTransformer().apply([tfl.input({ shape: [4, 6, 1] }), tfl.input({ shape: [4] })]), /input 1 must be theta \[batch, 6\]/);
  tf.dispose([x, shifted]);
  m.dispose();
});

test('gtsrb-stn-wide: save → load gives the same predictions; the predictor runs tfjs-layers saying why; ONNX export refuses naming the layer', async () => {
  await selectBackend('cpu');
  const m = await buildModel('gtsrb-stn-wide', { inputShape: [32, 32, 3], numClasses: 43 });
  // move theta away from the identity so that the saved transform matters
  const [k] = m.getLayer('loc_theta').getWeights();
  m.getLayer('loc_theta').setWeights([tf.randomNormal(k.shape, 0, 0.01, 'float32', 3), tf.tensor1d([0.9, 0.1, 0.05, -0.1, 1.1, 0])]);
  const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 12);
  const before = (m.predict(x) as tf.Tensor).dataSync();
  await saveModel(m, path.join(dir, 'saved'));
  const loaded = await loadModel(path.join(dir, 'saved'));
  assert.deepEqual((loaded.predict(x) as tf.Tensor).dataSync(), before);
  assert.deepEqual(loaded.getLayer('stn').getClassName(), 'ConvkitSpatialTransformer');
  const predictor = await loadPredictor(path.join(dir, 'saved'));
  assert.equal(predictor.engine, 'tfjs');
  assert.match(predictor.note ?? '', /^running tfjs-layers predict: layer stn \(ConvkitSpatialTransformer\): /);
  assert.deepEqual(predictor.predict(x.dataSync() as Float32Array, 2), before);
  predictor.dispose();
  await assert.rejects(exportOnnx(path.join(dir, 'saved'), path.join(dir, 'stn.onnx')), /cannot export to ONNX: layer stn \(ConvkitSpatialTransformer\)/);
  // its topology loads as a model file (theta then starts at zero: the identity is the zoo builder's)
  const topology = path.join(dir, 'stn.json');
  writeFileSync(topology, JSON.stringify(m.toJSON(null, false)));
  const fromJson = await buildModel(topology, { inputShape: [32, 32, 3], numClasses: 43 });
  assert.equal(fromJson.countParams(), m.countParams());
  for (const mm of [m, loaded, fromJson]) mm.dispose();
  x.dispose();
});

test('gtsrb-stn-wide: a training step on onednn runs the native grid sampler and no tfjs-cpu code but views, and moves theta', async (t) => {
  const probe = await probeNativeBackend();
  if (skipOrRequire(t, 'onednn', probe.ok ? null : probe.why)) return;
  await selectBackend('onednn');
  try {
    const model = await buildModel('gtsrb-stn-wide', { inputShape: [32, 32, 3], numClasses: 43 });
    const x = tf.randomUniform([16, 32, 32, 3], 0, 1, 'float32', 13);
    const y = tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => (i * 7) % 43), 'int32'), 43), 'float32');
    const calls = await assertNativeTrainingStep(model, x, y);
    assert.equal(calls.OneDnnGridSample, 1, JSON.stringify(calls));
    assert.equal(calls.OneDnnGridSampleGrad, 1, JSON.stringify(calls));
    const bias = model.getLayer('loc_theta').getWeights()[1].dataSync();
    assert.ok(bias.some((v, i) => v !== [1, 0, 0, 0, 1, 0][i]), `theta's bias after two steps: ${Array.from(bias)}`);
    tf.dispose([x, y]);
    model.dispose();
  } finally {
    await selectBackend('cpu');
  }
});
