import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildModel, listGraphModels } from '../models/index.js';
import { saveModel } from '../models/io.js';
import { runFiles } from '../run/layout.js';
import { selectBackend } from '../train/backend.js';
import { loadPredictor } from './predictor.js';

// The predictor's native plan against tfjs-layers' predict on every zoo model: the models' own initial weights with
// random biases and batch-norm statistics (so no affine map is an identity, and the probabilities are far from
// one-hot, where any difference in the logits would vanish), at batch 1, 3 and 64, then 3 again (cached instance).

function randomizeStatistics(model: tfl.LayersModel): void {
  for (const l of model.layers) {
    const ws = l.getWeights();
    if (ws.length === 0) continue;
    const bn = l.getClassName() === 'BatchNormalization';
    // Batch norm: gamma, beta, moving mean, moving variance (all four here: convkit's layers scale and center).
    l.setWeights(ws.map((w, i) => (bn ? (i === 0 ? tf.randomUniform(w.shape, 0.5, 1.5) : i === ws.length - 1 ? tf.randomUniform(w.shape, 0.5, 2) : tf.randomNormal(w.shape, 0, 0.2))
      : w.shape.length === 1 ? tf.randomNormal(w.shape, 0, 0.1) : tf.mul(w, 1.5))));
  }
}

const SHAPES: Record<string, [number, number, number][]> = { 'mnist-dnn': [[28, 28, 1]], 'mnist-cnn': [[28, 28, 1]], 'gtsrb-v1': [[24, 24, 1], [48, 48, 3]] };

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('every zoo model of the inference graph: the native plan gives tfjs-layers\' predictions within 1e-5, batch sizes 1, 3, 64, 3', async () => {
  await selectBackend('onednn');
  tf.randomNormal([1], 0, 1, 'float32', 11);
  for (const spec of listGraphModels()) {
    for (const shape of SHAPES[spec.name] ?? [[32, 32, 3] as [number, number, number]]) {
      const model = await buildModel(spec.name, { inputShape: shape, numClasses: 43 });
      randomizeStatistics(model);
      const p = await loadPredictor(model);
      assert.equal(p.engine, 'onednn-plan', `${spec.name}: ${p.note}`);
      assert.deepEqual(p.inputShape, shape);
      assert.equal(p.numClasses, 43);
      for (const n of [1, 3, 64, 3]) {
        const x = tf.randomUniform([n, ...shape]);
        const want = tf.tidy(() => (model.predict(x, { batchSize: n }) as tf.Tensor).dataSync() as Float32Array);
        const got = p.predict(x.dataSync() as Float32Array, n);
        const d = maxDiff(got, want);
        assert.ok(d < 1e-5, `${spec.name} ${shape.join('×')}, batch ${n}: max difference ${d}`);
        x.dispose();
      }
      p.dispose();
      model.dispose();
    }
  }
});

test('loadPredictor reads a model folder and a run folder; a layer the graph lacks falls back to tfjs with a note', async () => {
  await selectBackend('onednn');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-predictor-'));
  try {
    const model = await buildModel('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10 });
    await saveModel(model, path.join(dir, 'model-only'));
    await saveModel(model, runFiles(path.join(dir, 'run')).model);
    const x = tf.randomUniform([2, 28, 28, 1]);
    const want = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    for (const source of [path.join(dir, 'model-only'), path.join(dir, 'run')]) {
      const p = await loadPredictor(source);
      assert.equal(p.engine, 'onednn-plan');
      assert.ok(maxDiff(p.predict(x.dataSync() as Float32Array, 2), want) < 1e-5, source);
      assert.throws(() => p.predict(new Float32Array(28 * 28 * 2 - 1), 2), (e: unknown) => e instanceof RangeError && /x holds 1567 values, 2 images need 1568/.test(e.message));
      p.dispose();
    }

    // LayerNormalization is not in the inference graph: tfjs runs the model, and the note names the layer.
    const ln = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [4, 4, 1] }), tfl.layers.dense({ units: 8 }), tfl.layers.layerNormalization({ name: 'norm' }), tfl.layers.dense({ units: 3, activation: 'softmax' })] });
    const p = await loadPredictor(ln);
    assert.equal(p.engine, 'tfjs');
    assert.match(p.note ?? '', /^running tfjs-layers predict: layer norm \(LayerNormalization\): /);
    assert.doesNotMatch(p.note ?? '', /\n/);
    const xs = tf.randomUniform([5, 4, 4, 1]);
    const wantLn = tf.tidy(() => (ln.predict(xs) as tf.Tensor).dataSync() as Float32Array);
    assert.deepEqual(p.predict(xs.dataSync() as Float32Array, 5), wantLn);
    p.dispose();

    // A tfjs backend other than onednn asked for: tfjs-layers' predict on it.
    const onCpu = await loadPredictor(model, { backend: 'cpu' });
    assert.equal(onCpu.engine, 'tfjs');
    assert.equal(onCpu.note, 'running tfjs-layers predict: the tfjs backend "cpu" was asked for');
    assert.equal(tf.getBackend(), 'cpu');
    assert.ok(maxDiff(onCpu.predict(x.dataSync() as Float32Array, 2), want) < 1e-5);
    onCpu.dispose();
    await selectBackend('onednn');
    tf.dispose([x, xs]);
    model.dispose();
    ln.dispose();
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
