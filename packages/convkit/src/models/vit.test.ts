import assert from 'node:assert/strict';
import { promises as fs, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { skipOrRequire } from '../../../../scripts/required-tools.mjs';
import { runCli, startCli, waitFor } from '../../test-support/cli.js';
import { repoRoot } from '../../test-support/paths.js';
import { exportOnnx } from '../export/onnx.js';
import { loadPredictor } from '../inference/predictor.js';
import { probeNativeBackend, selectBackend } from '../train/backend.js';
import { buildModel } from './index.js';
import { loadModel, saveModel } from './io.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'convkit-vit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('vit-tiny: 138,890 parameters for 28×28×1 and 10 classes, 64 tokens at 32×32, sizes not divisible by 4 refused', async () => {
  await selectBackend('cpu');
  const m = await buildModel('vit-tiny', { inputShape: [28, 28, 1], numClasses: 10 });
  assert.equal(m.countParams(), 138_890);
  assert.deepEqual(m.getLayer('pos_embed').getWeights()[0].shape, [49, 64]);
  m.dispose();
  const g = await buildModel('vit-tiny', { inputShape: [32, 32, 3], numClasses: 43 });
  // conv 4·4·3·64 + 64, positions 64·64, blocks and final LN as for MNIST, head 64·43 + 43
  assert.equal(g.countParams(), 3136 + 4096 + 133_888 + 128 + 2795);
  g.dispose();
  await assert.rejects(buildModel('vit-tiny', { inputShape: [30, 30, 3], numClasses: 43 }), /image size 30×30 is not a multiple of its 4×4 patches/);
});

test('vit-tiny: save → load gives the same predictions; its topology and a builder importing the layers from convkit load as model files', async () => {
  await selectBackend('cpu');
  const m = await buildModel('vit-tiny', { inputShape: [28, 28, 1], numClasses: 10 });
  const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 12);
  const before = (m.predict(x) as tf.Tensor).dataSync();
  await saveModel(m, path.join(dir, 'saved'));
  const loaded = await loadModel(path.join(dir, 'saved'));
  assert.deepEqual(loaded.layers.map((l) => l.getClassName()), m.layers.map((l) => l.getClassName()));
  assert.deepEqual((loaded.predict(x) as tf.Tensor).dataSync(), before);
  // the native inference plan does not know these layers: the predictor runs tfjs-layers' predict and says why
  const predictor = await loadPredictor(path.join(dir, 'saved'));
  assert.equal(predictor.engine, 'tfjs');
  assert.match(predictor.note ?? '', /^running tfjs-layers predict: layer \S+ \(\w+\): /);
  assert.deepEqual(predictor.predict(x.dataSync() as Float32Array, 4), before);
  predictor.dispose();
  await assert.rejects(exportOnnx(path.join(dir, 'saved'), path.join(dir, 'vit.onnx')), /cannot export to ONNX: layer patch_tokens \(Reshape\): layer type not supported/);
  const topology = path.join(dir, 'vit.json');
  writeFileSync(topology, JSON.stringify(m.toJSON(null, false)));
  const fromJson = await buildModel(topology, { inputShape: [28, 28, 1], numClasses: 10 });
  assert.equal(fromJson.countParams(), 138_890);
  const user = await buildModel(path.join(repoRoot, 'packages/convkit/test-fixtures/models/tiny-vit.ts'), { inputShape: [28, 28, 1], numClasses: 10 });
  assert.deepEqual((user.predict(x) as tf.Tensor).shape, [4, 10]);
  assert.ok(user.layers.some((l) => l.getClassName() === 'ConvkitMultiHeadSelfAttention'));
  for (const mm of [m, loaded, fromJson, user]) mm.dispose();
});

test('convkit train --model vit-tiny learns on onednn (2,000 digits; SIGINT after epoch 1, --resume to epoch 3); evaluate reloads it', async (t) => {
  const probe = await probeNativeBackend();
  if (skipOrRequire(t, 'onednn', probe.ok ? null : probe.why)) return;
  const out = path.join(dir, 'vit-run');
  const common = ['--json', '--backend', 'onednn', '--progress', 'none'];
  const epochs = async () => (await fs.readFile(path.join(out, 'metrics.jsonl'), 'utf8').catch(() => '')).trim().split('\n').filter(Boolean).length;
  const first = startCli(['train', '--model', 'vit-tiny', '--data', 'mnist:embedded', '--limit-train', '2000', '--limit-test', '500', '--epochs', '3', '--out', out, ...common]);
  await waitFor('epoch 1 in metrics.jsonl', async () => (await epochs()) >= 1);
  first.child.kill('SIGINT');
  const r1 = await first.done;
  assert.equal(r1.code, 130, r1.stderr);
  const r2 = await runCli(['train', '--resume', out, ...common]);
  assert.equal(r2.code, 0, r2.stderr);
  const result = JSON.parse(r2.stdout);
  const metrics = (await fs.readFile(path.join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(metrics.map((m) => m.epoch), [1, 2, 3]);
  assert.ok(metrics[2].loss < metrics[0].loss, `loss ${metrics[0].loss} → ${metrics[2].loss}`);
  assert.ok(result.test_accuracy >= 0.6, `test accuracy ${result.test_accuracy} after 3 epochs on 2,000 digits`);
  process.stderr.write(`vit-tiny, 3 epochs on 2,000 digits: test accuracy ${result.test_accuracy}\n`);
  const config = JSON.parse(await fs.readFile(path.join(out, 'config.json'), 'utf8'));
  assert.equal(config.batchSize, 128, 'vit-tiny trains at its own batch size');
  const ev = await runCli(['evaluate', out, '--json', '--backend', 'onednn']);
  assert.equal(ev.code, 0, ev.stderr);
  assert.ok(Math.abs(JSON.parse(ev.stdout).test_accuracy - result.test_accuracy) < 1e-9, 'evaluate reproduces the saved model');
});
