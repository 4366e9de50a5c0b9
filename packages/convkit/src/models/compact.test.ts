import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildModel } from './index.js';

const conv = (cin: number, cout: number) => 9 * cin * cout + cout;
const bn = (c: number) => 4 * c;
const convBn = (cin: number, cout: number) => conv(cin, cout) + bn(cout);
const dense = (nin: number, nout: number) => nin * nout + nout;

test('gtsrb-resnet, gtsrb-resnet-wide and gtsrb-vgg-bn: parameter counts from the layer formulas, softmax outputs', async () => {
  await tf.setBackend('cpu');
  const resnet = await buildModel('gtsrb-resnet', { inputShape: [32, 32, 3], numClasses: 43 });
  // stem 3→32; stage 2: 32→64 + block (64→64 twice); stage 3: 64→128 + block (128→128 twice); dense 128→43
  assert.equal(resnet.countParams(), convBn(3, 32) + convBn(32, 64) + 2 * convBn(64, 64) + convBn(64, 128) + 2 * convBn(128, 128) + dense(128, 43));
  const wide = await buildModel('gtsrb-resnet-wide', { inputShape: [32, 32, 3], numClasses: 43 });
  assert.equal(wide.countParams(), convBn(3, 48) + convBn(48, 96) + 2 * convBn(96, 96) + convBn(96, 192) + 2 * convBn(192, 192) + dense(192, 43));
  assert.equal(wide.getLayer('drop').getConfig().rate, 0.3);
  const vgg = await buildModel('gtsrb-vgg-bn', { inputShape: [32, 32, 1], numClasses: 43 });
  assert.equal(vgg.countParams(), convBn(1, 32) + convBn(32, 64) + convBn(64, 128) + convBn(128, 256) + dense(256, 43));
  const p = resnet.predict(tf.randomUniform([2, 32, 32, 3])) as tf.Tensor;
  assert.deepEqual(p.shape, [2, 43]);
  const sums = await tf.sum(p, 1).data();
  for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5);
});

test('the average-pool head equals global average pooling', async () => {
  await tf.setBackend('cpu');
  const x = tf.randomUniform([2, 8, 8, 5]);
  const gap = tfl.layers.globalAveragePooling2d({}).apply(x) as tf.Tensor;
  const avg = tfl.layers.flatten().apply(tfl.layers.averagePooling2d({ poolSize: [8, 8] }).apply(x) as tf.Tensor) as tf.Tensor;
  const d = await tf.max(tf.abs(tf.sub(gap, avg))).data();
  assert.ok(d[0] < 1e-6, `max difference ${d[0]}`);
});
