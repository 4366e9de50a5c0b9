import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { skipOrRequire } from '../../../../../scripts/required-tools.mjs';
import { repoRoot } from '../../../test-support/paths.js';
import { probeNativeBackend, selectBackend } from '../../train/backend.js';
import { buildModel } from '../index.js';
import { loadModel, saveModel } from '../io.js';
import { attention, ATTENTION_KERNEL } from './attention.js';
import { gelu, GELU_KERNEL } from './gelu.js';
import { LAYER_NORM_KERNEL, layerNorm } from './layer-norm.js';
import { nativeKernel } from './native.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'convkit-vit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

// per layer: ((x·x·w) summed) = a scalar whose gradient reaches every input through the function
const cases: { name: string; kernel: string; inputs: () => tf.Tensor[]; f: (...xs: tf.Tensor[]) => tf.Tensor }[] = [
  { name: 'layer norm', kernel: LAYER_NORM_KERNEL, inputs: () => [tf.randomNormal([3, 49, 64], 0.5, 2, 'float32', 1), tf.randomNormal([64], 1, 0.3, 'float32', 2), tf.randomNormal([64], 0, 0.3, 'float32', 3)], f: (x, g, b) => layerNorm(x, g, b, 1e-6) },
  { name: 'layer norm (rank 2)', kernel: LAYER_NORM_KERNEL, inputs: () => [tf.randomNormal([5, 16], 0, 1, 'float32', 4), tf.randomNormal([16], 1, 0.3, 'float32', 5), tf.randomNormal([16], 0, 0.3, 'float32', 6)], f: (x, g, b) => layerNorm(x, g, b, 1e-6) },
  { name: 'GELU', kernel: GELU_KERNEL, inputs: () => [tf.randomNormal([2, 49, 128], 0, 2, 'float32', 7)], f: (x) => gelu(x) },
  ...[[4, 49], [1, 1], [4, 1], [1, 49]].map(([heads, t]) => ({
    name: `attention (${heads} heads, T ${t})`, kernel: ATTENTION_KERNEL,
    inputs: () => [8, 9, 10].map((s) => tf.randomNormal([2, t, 64], 0, 1, 'float32', s)),
    f: (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => attention(q, k, v, heads, 1 / Math.sqrt(64 / heads)),
  })),
];

/** The function's output and its gradients on the current backend, as plain arrays. */
function evaluate(c: (typeof cases)[number]): { y: tf.Tensor; grads: tf.Tensor[] } {
  return tf.tidy(() => {
    const xs = c.inputs();
    const y = c.f(...xs);
    const w = tf.randomNormal(y.shape, 0, 1, 'float32', 11);
    const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(c.f(...a), w)))(xs);
    return { y: tf.tensor(y.dataSync(), y.shape), grads: grads.map((g) => tf.tensor(g.dataSync(), g.shape)) };
  });
}

test('convkit layers: tfjs ops on cpu equal the native kernels on onednn (outputs and gradients within 1e-4)', async (t) => {
  const probe = await probeNativeBackend();
  if (skipOrRequire(t, 'onednn', probe.ok ? null : probe.why)) return;
  await selectBackend('cpu');
  const ref = cases.map(evaluate);
  const refData = ref.map((r) => ({ y: r.y.arraySync(), grads: r.grads.map((g) => g.arraySync()) }));
  await selectBackend('onednn');
  try {
    for (const [i, c] of cases.entries()) {
      assert.ok(nativeKernel(c.kernel), `${c.kernel} is registered on onednn`);
      const got = evaluate(c);
      assert.ok(maxDiff(got.y, tf.tensor(refData[i].y as number[])) < 1e-4, `${c.name}: forward`);
      got.grads.forEach((g, j) => {
        const d = maxDiff(g, tf.tensor(refData[i].grads[j] as number[]));
        assert.ok(d < 1e-4, `${c.name}: gradient ${j} differs by ${d}`);
      });
      tf.dispose([got.y, ...got.grads]);
    }
  } finally {
    await selectBackend('cpu');
  }
});

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
  const topology = path.join(dir, 'vit.json');
  writeFileSync(topology, JSON.stringify(m.toJSON(null, false)));
  const fromJson = await buildModel(topology, { inputShape: [28, 28, 1], numClasses: 10 });
  assert.equal(fromJson.countParams(), 138_890);
  const user = await buildModel(path.join(repoRoot, 'packages/convkit/test-fixtures/models/tiny-vit.ts'), { inputShape: [28, 28, 1], numClasses: 10 });
  assert.deepEqual((user.predict(x) as tf.Tensor).shape, [4, 10]);
  assert.ok(user.layers.some((l) => l.getClassName() === 'ConvkitMultiHeadSelfAttention'));
  tf.dispose([m, loaded, fromJson, user].map((mm) => mm.getWeights()).flat());
});
