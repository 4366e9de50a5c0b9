import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { extended } from '../../test-support/extended.js';
import { gtsrbMiniDir } from '../../test-support/paths.js';
import { loadDataset } from '../datasets/index.js';
import { evaluateRun } from '../train/inference.js';
import { trainRun } from '../train/run.js';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from './onnx.js';

// The recipe's model trained briefly on gtsrb-mini (2,580 training images; 2 epochs reach about 9 % on its test images,
// 4 times chance, in a minute on 2 cores): its ONNX export scored by onnxruntime-node on the 1,290 test images gets the accuracy `convkit evaluate` reports.

test('gtsrb-resnet-wide trained on gtsrb-mini: onnxruntime scores the export as convkit evaluate scores the run', extended(gtsrbMiniDir), async () => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-onnx-mini-'));
  try {
    const run = path.join(base, 'run');
    const data = `gtsrb:${gtsrbMiniDir}`;
    await trainRun({ model: 'gtsrb-resnet-wide', data, epochs: 2, validation: 'test', out: run, progress: 'none', force: true }, { log: () => {}, epochLines: false });
    const convkit = await evaluateRun(run);
    const file = path.join(base, 'gtsrb.onnx');
    await exportOnnx(run, file);

    const test = (await loadDataset(data)).test;
    const [h, w, c] = [32, 32, 3];
    const x = test.x instanceof Float32Array ? test.x : Float32Array.from(test.x, (v) => v / 255);
    assert.equal(x.length, test.count * h * w * c);
    const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 2 });
    let right = 0;
    for (let i = 0; i < test.count; i += 256) {
      const n = Math.min(256, test.count - i);
      const p = (await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', x.subarray(i * h * w * c, (i + n) * h * w * c), [n, h, w, c]) }))[ONNX_OUTPUT].data as Float32Array;
      const k = p.length / n;
      for (let j = 0; j < n; j++) {
        let best = 0;
        for (let q = 1; q < k; q++) if (p[j * k + q] > p[j * k + best]) best = q;
        if (best === test.y[i + j]) right++;
      }
    }
    await session.release();
    process.stderr.write(`gtsrb-mini: ${right}/${test.count} right under onnxruntime, convkit evaluate ${(convkit.test_accuracy * 100).toFixed(2)} % of ${convkit.count}\n`);
    assert.equal(convkit.count, test.count);
    assert.ok(convkit.test_accuracy > 3 / 43, `the brief training learned (${convkit.test_accuracy})`);
    assert.equal(right, Math.round(convkit.test_accuracy * convkit.count), 'the same number of test images right');
  } finally {
    await fs.rm(base, { recursive: true, force: true });
  }
});
