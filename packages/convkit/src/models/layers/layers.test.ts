import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { skipOrRequire } from '../../../../../scripts/required-tools.mjs';
import { probeNativeBackend, selectBackend } from '../../train/backend.js';
import { buildModel } from '../index.js';
import { assertNativeTrainingStep } from '../../../test-support/native-step.js';
import { attention, ATTENTION_KERNEL } from './attention.js';
import { gelu, GELU_KERNEL } from './gelu.js';
import { LAYER_NORM_KERNEL, layerNorm } from './layer-norm.js';
import { nativeKernel } from './native.js';
import { affineGrid, gridSample, GRID_SAMPLE_KERNEL } from './spatial-transformer.js';

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

// per layer: ((x·x·w) summed) = a scalar whose gradient reaches every input through the function
const cases: { name: string; kernel: string; inputs: () => tf.Tensor[]; f: (...xs: tf.Tensor[]) => tf.Tensor; relative?: true }[] = [
  { name: 'layer norm', kernel: LAYER_NORM_KERNEL, inputs: () => [tf.randomNormal([3, 49, 64], 0.5, 2, 'float32', 1), tf.randomNormal([64], 1, 0.3, 'float32', 2), tf.randomNormal([64], 0, 0.3, 'float32', 3)], f: (x, g, b) => layerNorm(x, g, b, 1e-6) },
  { name: 'layer norm (rank 2)', kernel: LAYER_NORM_KERNEL, inputs: () => [tf.randomNormal([5, 16], 0, 1, 'float32', 4), tf.randomNormal([16], 1, 0.3, 'float32', 5), tf.randomNormal([16], 0, 0.3, 'float32', 6)], f: (x, g, b) => layerNorm(x, g, b, 1e-6) },
  { name: 'GELU', kernel: GELU_KERNEL, inputs: () => [tf.randomNormal([2, 49, 128], 0, 2, 'float32', 7)], f: (x) => gelu(x) },
  ...[[4, 49], [1, 1], [4, 1], [1, 49]].map(([heads, t]) => ({
    name: `attention (${heads} heads, T ${t})`, kernel: ATTENTION_KERNEL,
    inputs: () => [8, 9, 10].map((s) => tf.randomNormal([2, t, 64], 0, 1, 'float32', s)),
    f: (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => attention(q, k, v, heads, 1 / Math.sqrt(64 / heads)),
  })),
  // theta near the identity with a rotation, zoom and shift: points inside, on the border and outside the image
  ...[[1, 32, 32, 3, 32, 32], [3, 9, 7, 2, 5, 6]].map(([b, h, w, c, oh, ow]) => ({
    name: `spatial transformer ([${b}, ${h}, ${w}, ${c}] → ${oh}×${ow})`, kernel: GRID_SAMPLE_KERNEL,
    inputs: () => [tf.randomNormal([b, h, w, c], 0, 1, 'float32', 12), tf.add(tf.tensor2d([1.1, 0.2, 0.1, -0.15, 0.9, -0.05], [1, 6]), tf.randomNormal([b, 6], 0, 0.1, 'float32', 13))],
    f: (x: tf.Tensor, theta: tf.Tensor) => gridSample(x, affineGrid(theta, oh, ow)), relative: true as const,
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
        const want = tf.tensor(refData[i].grads[j] as number[]);
        // theta's gradient sums over every output pixel: held to 1e-4 of its largest element
        const d = maxDiff(g, want) / (c.relative ? tf.tidy(() => tf.max(tf.abs(want)).dataSync()[0]) : 1);
        assert.ok(d < 1e-4, `${c.name}: gradient ${j} differs by ${d}${c.relative ? ' (relative)' : ''}`);
        want.dispose();
      });
      tf.dispose([got.y, ...got.grads]);
    }
  } finally {
    await selectBackend('cpu');
  }
});

test('vit-tiny: a training step on onednn (forward, gradients, Adam) runs no tfjs-cpu code but views', async (t) => {
  const probe = await probeNativeBackend();
  if (skipOrRequire(t, 'onednn', probe.ok ? null : probe.why)) return;
  await selectBackend('onednn');
  try {
    const model = await buildModel('vit-tiny', { inputShape: [28, 28, 1], numClasses: 10 });
    const x = tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 13);
    const y = tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5], 'int32'), 10), 'float32'); // float labels, as the loop's
    const calls = await assertNativeTrainingStep(model, x, y);
    for (const k of ['OneDnnLayerNorm', 'OneDnnLayerNormGrad', 'OneDnnGelu', 'OneDnnGeluGrad', 'OneDnnAttention', 'OneDnnAttentionGrad']) {
      assert.equal(calls[k], k.startsWith('OneDnnLayerNorm') ? 9 : 4, `${k} calls: ${JSON.stringify(calls)}`);
    }
    tf.dispose([x, y]);
    model.dispose();
  } finally {
    await selectBackend('cpu');
  }
});
