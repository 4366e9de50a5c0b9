import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { runCli } from '../../test-support/cli.js';
import { gtsrbFixtureDir, mnistFixtureDir } from '../../test-support/paths.js';
import { requirePython, skipWithoutPython } from '../../test-support/python.js';
import { loadDataset } from '../datasets/index.js';
import { readIdxPair } from '../datasets/idx.js';
import type { ImageSplit } from '../datasets/types.js';
import { loadModel, saveModel } from '../models/io.js';
import { listGraphModels } from '../models/index.js';
import { readRunConfig } from '../run/config.js';
import { runFiles } from '../run/layout.js';
import { evaluateRun } from '../train/inference.js';
import { trainRun } from '../train/run.js';
import { exportOnnx, ONNX_INPUT, ONNX_METADATA_KEYS, ONNX_OUTPUT } from './onnx.js';

// Every zoo model briefly trained on real images (MNIST digits, the GTSRB fixture), exported from its run folder and
// run by onnxruntime-node on real test images (the 500 MNIST test digits of the fixtures, the fixture's 100 GTSRB test
// images): the same probabilities as tfjs-layers' predict within 1e-4 and the same test accuracy; then ONNX's own
// checker (Debian's python3-onnx) accepts every file and reads its metadata back.

const base = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-onnx-trained-'));
const exported: { model: string; file: string; classes: number }[] = [];
process.on('exit', () => rmSync(base, { recursive: true, force: true }));

/** Test images as float32 NHWC in [0, 1], with their labels. */
async function testImages(model: string): Promise<{ x: Float32Array; y: Int32Array; count: number }> {
  const toFloat = (s: ImageSplit) => ({ x: s.x instanceof Float32Array ? s.x : Float32Array.from(s.x, (v) => v / 255), y: s.y, count: s.count });
  if (model.startsWith('mnist')) {
    const d = await readIdxPair(path.join(mnistFixtureDir, 't10k-images-idx3-ubyte.gz'), path.join(mnistFixtureDir, 't10k-labels-idx1-ubyte.gz'));
    return toFloat({ x: d.x, y: d.y, count: d.y.length });
  }
  return toFloat((await loadDataset(`gtsrb:${gtsrbFixtureDir}`)).test);
}

const argmax = (p: Float32Array, i: number, k: number) => {
  let best = 0;
  for (let j = 1; j < k; j++) if (p[i * k + j] > p[i * k + best]) best = j;
  return best;
};

test('every zoo model of the inference graph, briefly trained: onnxruntime gives tfjs-layers\' probabilities within 1e-4 on real test images, and the same accuracy', async () => {
  for (const spec of listGraphModels()) {
    const mnist = spec.name.startsWith('mnist');
    const run = path.join(base, spec.name);
    await trainRun(
      { model: spec.name, data: mnist ? 'mnist:embedded' : `gtsrb:${gtsrbFixtureDir}`, epochs: 1, ...(mnist ? { limitTrain: 2000, batchSize: 16 } : {}), validation: 'test', out: run, progress: 'none', force: true },
      { log: () => {}, epochLines: false },
    );
    const file = path.join(run, 'model.onnx');
    const r = await exportOnnx(run, file);
    const cfg = await readRunConfig(run);
    assert.deepEqual(r.classNames, cfg.dataset.classNames, `${spec.name}: class names from the run`);

    const model = await loadModel(runFiles(run).model);
    const [, h, w, c] = model.inputs[0].shape as number[];
    const k = (model.outputs[0].shape as number[])[1];
    const { x, y, count } = await testImages(spec.name);
    assert.equal(x.length, count * h * w * c, `${spec.name}: test images of the model's shape`);
    const want = tf.tidy(() => (model.predict(tf.tensor4d(x, [count, h, w, c]), { batchSize: 128 }) as tf.Tensor).dataSync() as Float32Array);
    model.dispose();
    const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 2 });
    const got = (await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', x, [count, h, w, c]) }))[ONNX_OUTPUT].data as Float32Array;
    // one image at a time too: the batch axis is dynamic
    const one = (await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', x.subarray(0, h * w * c), [1, h, w, c]) }))[ONNX_OUTPUT].data as Float32Array;
    await session.release();

    assert.equal(got.length, want.length);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    assert.ok(worst < 1e-4, `${spec.name}: largest probability difference ${worst}`);
    for (let j = 0; j < k; j++) assert.ok(Math.abs(one[j] - want[j]) < 1e-4, `${spec.name}: batch of 1, class ${j}`);
    let rightOrt = 0;
    let rightTfjs = 0;
    for (let i = 0; i < count; i++) {
      if (argmax(got, i, k) === y[i]) rightOrt++;
      if (argmax(want, i, k) === y[i]) rightTfjs++;
    }
    assert.equal(rightOrt, rightTfjs, `${spec.name}: test accuracy ${rightOrt}/${count} under onnxruntime, ${rightTfjs}/${count} under tfjs-layers`);
    // 6 training images a class teach the GTSRB models little (gtsrb-mini's test below scores a model that learned);
    // what is checked here is that the predictions are not one class for every image, so the agreement means something.
    const predicted = new Set(Array.from({ length: count }, (_, i) => argmax(want, i, k)));
    assert.ok(predicted.size > 1, `${spec.name}: predicts ${predicted.size} class(es)`);
    if (mnist) assert.ok(rightTfjs > count / 2, `${spec.name}: the brief training learned (${rightTfjs}/${count} right)`);
    process.stderr.write(`${spec.name}: ${rightOrt}/${count} right under both, ${predicted.size} classes predicted, largest difference ${worst.toExponential(1)}\n`);
    exported.push({ model: spec.name, file, classes: k });
  }
  assert.equal(exported.length, listGraphModels().length);
});

test("ONNX's checker (python3-onnx, full check) accepts every export and reads its metadata", { skip: skipWithoutPython('onnx') }, () => {
  const py = requirePython('onnx');
  assert.equal(exported.length, listGraphModels().length, 'the exports of the test before');
  const script = [
    'import json, sys, onnx',
    'out = []',
    'for f in sys.argv[1:]:',
    '    m = onnx.load(f)',
    '    onnx.checker.check_model(m, full_check=True)',
    '    meta = {p.key: p.value for p in m.metadata_props}',
    '    dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]',
    '    out.append({"opset": m.opset_import[0].version, "input": [m.graph.input[0].name, dims(m.graph.input[0])], "output": [m.graph.output[0].name, dims(m.graph.output[0])], "meta": meta})',
    'print(json.dumps(out))',
  ].join('\n');
  const res = JSON.parse(execFileSync(py, ['-c', script, ...exported.map((e) => e.file)], { encoding: 'utf8' }));
  for (const [i, e] of exported.entries()) {
    const m = res[i];
    assert.equal(m.opset, 13);
    assert.equal(m.input[0], ONNX_INPUT);
    assert.equal(m.input[1][0], 'batch', `${e.model}: dynamic batch`);
    assert.deepEqual(m.output, [ONNX_OUTPUT, ['batch', e.classes]]);
    assert.equal(JSON.parse(m.meta[ONNX_METADATA_KEYS.classNames]).length, e.classes, `${e.model}: class names`);
    assert.equal(m.meta[ONNX_METADATA_KEYS.inputLayout], 'NHWC');
    assert.equal(m.meta[ONNX_METADATA_KEYS.model], e.model);
  }
});

test('convkit export RUN --onnx FILE writes the file; bad input is one error line, exit 2, and no file', async () => {
  const run = path.join(base, 'mnist-cnn');
  const file = path.join(base, 'cli', 'digits.onnx');
  const ok = await runCli(['export', run, '--onnx', file]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^wrote .*digits\.onnx: ONNX opset 13, input image \[batch, 28, 28, 1\] NHWC float32, output probabilities \[batch, 10\], \d+ bytes\n$/);
  const session = await ort.InferenceSession.create(file);
  assert.deepEqual(session.inputNames, [ONNX_INPUT]);
  await session.release();

  // A model folder with a layer the inference graph lacks.
  const odd = path.join(base, 'layer-norm');
  const m = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [4, 4, 1] }), tfl.layers.layerNormalization(), tfl.layers.dense({ units: 3, activation: 'softmax' })] });
  await saveModel(m, odd);
  m.dispose();
  const cases: [string[], RegExp, string][] = [
    [['export', base, '--onnx', path.join(base, 'no.onnx')], /^convkit: error: .*: neither a run folder \(config\.json\) nor a model folder \(model\.json\)$/, path.join(base, 'no.onnx')],
    [['export', run, '--onnx', base], /^convkit: error: .*: is a directory; --onnx takes the file to write$/, ''],
    [['export', odd, '--onnx', path.join(base, 'odd.onnx')], /^convkit: error: .*layer-norm: cannot export to ONNX: layer .* \(LayerNormalization\): layer type not supported/, path.join(base, 'odd.onnx')],
    [['export', run], /required option '--onnx <file>' not specified/, ''],
  ];
  for (const [args, want, absent] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.split('\n')[0], want);
    if (absent) assert.equal(await fs.stat(absent).then(() => true, () => false), false, `${absent} not written`);
  }
  assert.deepEqual((await fs.readdir(path.join(base, 'cli'))).sort(), ['digits.onnx'], 'no temporary file left');
});

test('convkit evaluate RUN --onnx FILE: onnxruntime scores the export on the run\'s test split as convkit scores the run', async () => {
  for (const name of ['mnist-cnn', 'gtsrb-v3']) {
    const run = path.join(base, name);
    const file = path.join(run, 'model.onnx');
    const convkit = await evaluateRun(run);
    const onnx = await evaluateRun(run, { onnx: file });
    assert.equal(onnx.backend, 'onnxruntime');
    assert.equal(onnx.count, convkit.count);
    assert.equal(onnx.test_accuracy, convkit.test_accuracy, `${name}: accuracy`);
    assert.ok(Math.abs(onnx.test_loss - convkit.test_loss) < 1e-5, `${name}: loss ${onnx.test_loss} vs ${convkit.test_loss}`);
  }
  const run = path.join(base, 'mnist-cnn');
  const r = await runCli(['evaluate', run, '--onnx', path.join(run, 'model.onnx')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^mnist:embedded: 2000 images, accuracy \d+\.\d\d %, loss \d\.\d{4} \(onnxruntime\)\n$/);
  const bad = await runCli(['evaluate', run, '--onnx', runFiles(run).config]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /^convkit: error: .*config\.json: onnxruntime cannot load it: /);
  // an export of another shape (GTSRB 32×32×3) on the MNIST run's data
  const other = await runCli(['evaluate', run, '--onnx', path.join(base, 'gtsrb-v1', 'model.onnx')]);
  assert.equal(other.code, 2, other.stderr);
  assert.match(other.stderr, /^convkit: error: mnist:embedded: images are 28×28×1 but the model expects 32×32×3\n$/);
});
