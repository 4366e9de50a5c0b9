import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { buildModel, listGraphModels } from '../models/index.js';
import { selectBackend } from '../train/backend.js';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from './onnx.js';

// The export run by onnxruntime-node against the model's own predict: every zoo model with random weights (batch-norm
// statistics included, so no affine map is an identity), and small models exercising each layout case.

/** Random weights everywhere (batch-norm variances positive). */
function randomize(model: tfl.LayersModel): void {
  for (const l of model.layers) {
    const ws = l.getWeights();
    if (ws.length === 0) continue;
    l.setWeights(ws.map((w, i) => (l.getClassName() === 'BatchNormalization' && i === ws.length - 1 ? tf.randomUniform(w.shape, 0.5, 2) : tf.randomNormal(w.shape, 0, 0.3))));
  }
}

/** onnxruntime's output for NHWC images `x` ([n, ...shape]). */
async function ortPredict(session: ort.InferenceSession, x: Float32Array, dims: number[]): Promise<Float32Array> {
  const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', x, dims) });
  return out[ONNX_OUTPUT].data as Float32Array;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

async function checkAgainstPredict(model: tfl.LayersModel, file: string, what: string, batches = [1, 3]): Promise<void> {
  await exportOnnx(model, file, { classNames: Array.from({ length: (model.outputs[0].shape as number[])[1] }, (_, i) => `class ${i}`) });
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
  try {
    const shape = model.inputs[0].shape.slice(1) as number[];
    for (const n of batches) {
      const x = tf.randomUniform([n, ...shape]);
      const want = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
      const got = await ortPredict(session, x.dataSync() as Float32Array, [n, ...shape]);
      const d = maxDiff(want, got);
      assert.ok(d < 1e-4, `${what}, batch ${n}: max difference ${d}`);
      x.dispose();
    }
    assert.deepEqual(session.inputNames, [ONNX_INPUT]);
    assert.deepEqual(session.outputNames, [ONNX_OUTPUT]);
  } finally {
    await session.release();
  }
}

test('every zoo model of the inference graph: onnxruntime runs the export and gives the model\'s predictions', async () => {
  await selectBackend('onednn');
  tf.randomNormal([1], 0, 1, 'float32', 7);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-onnx-'));
  try {
    for (const spec of listGraphModels()) {
      const shape: [number, number, number] = spec.name.startsWith('mnist') ? [28, 28, 1] : spec.name.startsWith('gtsrb-v') ? [24, 24, 1] : [32, 32, 3];
      const model = await buildModel(spec.name, { inputShape: shape, numClasses: 43 });
      randomize(model);
      await checkAgainstPredict(model, path.join(dir, `${spec.name}.onnx`), spec.name);
      model.dispose();
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('layouts: a flatten read by other layers, padded pools, activations and batch norm on images', async () => {
  await selectBackend('onednn');
  tf.randomNormal([1], 0, 1, 'float32', 11);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-onnx-'));
  try {
    const input = tfl.input({ shape: [9, 7, 3] });
    const bn = tfl.layers.batchNormalization().apply(input) as tfl.SymbolicTensor;
    const conv = tfl.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'elu' }).apply(bn) as tfl.SymbolicTensor;
    const pool = tfl.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(conv) as tfl.SymbolicTensor;
    const mpool = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }).apply(pool) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten().apply(mpool) as tfl.SymbolicTensor;
    const bnFlat = tfl.layers.batchNormalization().apply(flat) as tfl.SymbolicTensor; // a flatten read by batch norm: NHWC order needed
    const d1 = tfl.layers.dense({ units: 6, activation: 'tanh' }).apply(bnFlat) as tfl.SymbolicTensor;
    const d2 = tfl.layers.dense({ units: 6, activation: 'relu6' }).apply(d1) as tfl.SymbolicTensor;
    const sum = tfl.layers.add().apply([d1, d2]) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 4, activation: 'softmax' }).apply(tfl.layers.activation({ activation: 'sigmoid' }).apply(sum) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    randomize(model);
    await checkAgainstPredict(model, path.join(dir, 'layouts.onnx'), 'layouts');

    // Dense on an NHWC input flattened straight away (no transpose at all) and a linear head.
    const dnn = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [4, 5, 2] }), tfl.layers.dense({ units: 3 })] });
    randomize(dnn);
    await checkAgainstPredict(dnn, path.join(dir, 'dnn.onnx'), 'flatten of the input, linear head');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
