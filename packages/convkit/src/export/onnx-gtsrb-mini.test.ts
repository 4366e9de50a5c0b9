import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { extended } from '../../test-support/extended.js';
import { gtsrbMiniDir } from '../../test-support/paths.js';
import { evaluateRun } from '../train/inference.js';
import { trainRun } from '../train/run.js';
import { exportOnnx } from './onnx.js';

// Fidle's GTSRB v1 (the network of the speed comparison) trained briefly on gtsrb-mini (2,580 training images;
// 2 epochs reach 21.7 % of its test images, 9 times chance, in under a minute on 2 cores): its ONNX export scored by onnxruntime-node (`convkit evaluate --onnx`) on
// the 1,290 test images gets the accuracy `convkit evaluate` reports for the run.

test('gtsrb-v1 trained on gtsrb-mini: onnxruntime scores the export as convkit evaluate scores the run', extended(gtsrbMiniDir), async () => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-onnx-mini-'));
  try {
    const run = path.join(base, 'run');
    const data = `gtsrb:${gtsrbMiniDir}`;
    await trainRun({ model: 'gtsrb-v1', data, epochs: 2, validation: 'test', out: run, progress: 'none', force: true }, { log: () => {}, epochLines: false });
    const convkit = await evaluateRun(run);
    const file = path.join(base, 'gtsrb.onnx');
    await exportOnnx(run, file);

    const onnx = await evaluateRun(run, { onnx: file });
    process.stderr.write(`gtsrb-mini: accuracy ${(onnx.test_accuracy * 100).toFixed(2)} % under onnxruntime, ${(convkit.test_accuracy * 100).toFixed(2)} % under convkit evaluate (${convkit.count} images)\n`);
    assert.equal(convkit.count, 1290);
    assert.ok(convkit.test_accuracy > 0.15, `the brief training learned (${convkit.test_accuracy})`);
    assert.equal(onnx.count, convkit.count);
    assert.equal(onnx.test_accuracy, convkit.test_accuracy, 'the same test images right');
  } finally {
    await fs.rm(base, { recursive: true, force: true });
  }
});
