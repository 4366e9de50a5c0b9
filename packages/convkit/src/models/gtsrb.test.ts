import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { getModel } from './index.js';

// Parameter counts from the layer formulas: conv = k·k·in·out + out, dense = in·out + out,
// batch norm = 4 per channel (gamma, beta, moving mean, moving variance).
const conv = (k: number, cin: number, cout: number) => k * k * cin * cout + cout;
const dense = (nin: number, nout: number) => nin * nout + nout;
const bn = (c: number) => 4 * c;
const valid = (n: number, k: number) => n - k + 1;
const pool = (n: number) => Math.floor(n / 2);

function expectedV1(s: number, c: number, classes: number): number {
  const a = pool(valid(s, 3));
  const b = pool(valid(a, 3));
  return conv(3, c, 96) + conv(3, 96, 192) + dense(b * b * 192, 1500) + dense(1500, classes);
}

function expectedV2(s: number, c: number, classes: number): number {
  let n = s;
  let cin = c;
  let total = 0;
  for (const f of [64, 128, 256]) {
    total += conv(3, cin, f) + conv(3, f, f);
    n = pool(valid(n, 3));
    cin = f;
  }
  return total + dense(n * n * 256, 512) + dense(512, classes);
}

function expectedV3(s: number, c: number, classes: number): number {
  const n = pool(pool(s));
  return (
    conv(5, c, 32) + bn(32) + conv(5, 32, 64) + bn(64) + conv(5, 64, 128) + bn(128) + dense(n * n * 128, 512) + bn(512) + dense(512, classes)
  );
}

const cases: [string, (s: number, c: number, k: number) => number][] = [
  ['gtsrb-v1', expectedV1],
  ['gtsrb-v2', expectedV2],
  ['gtsrb-v3', expectedV3],
];

for (const [name, expected] of cases) {
  for (const [size, channels] of [
    [24, 1],
    [48, 3],
  ]) {
    test(`${name} builds for ${size}×${size}×${channels} with the parameter count of its layers`, async () => {
      await tf.setBackend('cpu');
      const spec = getModel(name);
      assert.equal(spec.defaults?.batchSize, 64);
      const model = (await spec.load())({ inputShape: [size, size, channels], numClasses: 43 });
      try {
        assert.deepEqual(model.inputs[0].shape, [null, size, size, channels]);
        assert.deepEqual(model.outputs[0].shape, [null, 43]);
        assert.equal(model.countParams(), expected(size, channels, 43));
        // the output is the softmax of the last Dense layer's logits (nothing after it), and depends on the image
        const last = model.layers[model.layers.length - 1] as tfl.layers.Layer;
        assert.equal(last.getClassName(), 'Dense');
        const [got, want] = tf.tidy(() => {
          const x = tf.randomUniform([2, size, size, channels], 0, 1, 'float32', 7);
          const features = tfl.model({ inputs: model.inputs, outputs: last.input as tfl.SymbolicTensor }).predict(x) as tf.Tensor;
          const [w, b] = last.getWeights();
          return [model.predict(x) as tf.Tensor, tf.softmax(tf.add(tf.matMul(features, w), b))].map((t) => t.arraySync() as number[][]);
        });
        for (let i = 0; i < got.length; i++) for (let k = 0; k < 43; k++) assert.ok(Math.abs(got[i][k] - want[i][k]) <= 1e-5 * (want[i][k] + 1e-2), `row ${i} class ${k}: ${got[i][k]} vs softmax(logits) ${want[i][k]}`);
        assert.ok(got[0].some((v, k) => Math.abs(v - got[1][k]) > 1e-6), 'two images give two outputs');
      } finally {
        model.dispose();
      }
    });
  }
}
