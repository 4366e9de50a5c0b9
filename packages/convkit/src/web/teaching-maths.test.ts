import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadEmbeddedMnist } from '../datasets/mnist.js';
// The pure maths of the dashboard's pages (browser TypeScript without DOM use): the same modules the bundle holds.
import { smoothEma } from '../report/views/smooth.js';
import { conv2dValid, maxPool2, relu, toGray, windowAt, PRESET_KERNELS } from './browser/conv-maths.js';
import { descend, leastSquares, loss, makeProblem } from './browser/descent-maths.js';
import { compileFilter } from './browser/filter.js';

test('the walk-through\'s convolution, ReLU and 2×2 max pooling equal tfjs\'s on a real MNIST digit', async () => {
  await tf.setBackend('cpu');
  const d = loadEmbeddedMnist();
  const h = d.height;
  const w = d.width;
  const x: Float32Array = toGray(d.test.x.subarray(0, h * w), h, w, 1);
  const kernel = PRESET_KERNELS['vertical edges (Sobel x)'] as number[];
  const bias = 0.25;
  const ours = conv2dValid(x, h, w, kernel, bias);
  const theirs = tf.tidy(() => tf.add(tf.conv2d(tf.tensor4d(x, [1, h, w, 1]), tf.tensor4d(kernel, [3, 3, 1, 1]), 1, 'valid'), bias));
  assert.deepEqual(theirs.shape, [1, ours.height, ours.width, 1]);
  const t = theirs.dataSync();
  for (let i = 0; i < t.length; i++) assert.ok(Math.abs(t[i] - ours.out[i]) < 1e-5, `conv at ${i}: ${t[i]} vs ${ours.out[i]}`);
  const r = relu(ours.out);
  const p = maxPool2(r, ours.height, ours.width);
  const tp = tf.tidy(() => tf.maxPool(tf.relu(theirs as tf.Tensor4D), 2, 2, 'valid')).dataSync();
  assert.equal(tp.length, p.out.length);
  for (let i = 0; i < tp.length; i++) assert.ok(Math.abs(tp[i] - p.out[i]) < 1e-5);
  // the window shown for output (i, j) is what produced it
  const [i, j] = [12, 9];
  const win: number[] = windowAt(x, w, i, j);
  const z = win.reduce((s, v, k) => s + v * kernel[k], bias);
  assert.ok(Math.abs(z - ours.out[i * ours.width + j]) < 1e-5);
  assert.ok(r.some((v: number) => v > 0) && r.some((v: number) => v === 0), 'a real digit has edges of both signs');
  theirs.dispose();
});

test('gradient descent: full batch, mini-batch and SGD all approach the least-squares minimum at a sane rate; too large a rate diverges', () => {
  const p = makeProblem();
  const best = leastSquares(p);
  const min = loss(p, best.w, best.b);
  for (const batchSize of [p.n, 16, 1]) {
    const path = descend(p, { batchSize, lr: 0.05, epochs: batchSize === p.n ? 400 : 30 });
    const end = path.at(-1)!;
    assert.ok(end.loss < min * 1.1, `batch ${batchSize}: ${end.loss} vs ${min}`);
  }
  const diverged = descend(p, { batchSize: p.n, lr: 1.05, epochs: 30 });
  assert.ok(diverged.at(-1)!.loss > diverged[0].loss);
});

test('smoothing is TensorBoard\'s debiased EMA; filters take words or /regex/', () => {
  assert.deepEqual(smoothEma([1, 1, 1], 0.9).map((v) => +v!.toFixed(12)), [1, 1, 1]); // debiased: no pull towards 0
  const s = smoothEma([0, 10], 0.5);
  assert.equal(s[0], 0);
  assert.ok(Math.abs(s[1]! - (0.5 * 0.5 * 0 + 0.5 * 10) / (1 - 0.25)) < 1e-12);
  assert.deepEqual(smoothEma([3, NaN, 5], 0), [3, NaN, 5]);
  assert.equal(compileFilter('/^sweep\\/lr-0\\.0[1-3]$/')!('sweep/lr-0.02'), true);
  assert.equal(compileFilter('/^sweep\\/lr-0\\.0[1-3]$/')!('sweep/lr-0.05'), false);
  assert.equal(compileFilter('CNN running')!('runs/a mnist-cnn mnist running'), true);
  assert.equal(compileFilter('/(/'), null);
});
