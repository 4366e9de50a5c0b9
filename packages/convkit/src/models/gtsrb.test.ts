import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
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
        const y = tf.tidy(() => tf.sum(model.predict(tf.zeros([2, size, size, channels])) as tf.Tensor, 1).arraySync() as number[]);
        for (const v of y) assert.ok(Math.abs(v - 1) < 1e-4, `softmax rows sum to 1, got ${v}`);
      } finally {
        model.dispose();
      }
    });
  }
}
