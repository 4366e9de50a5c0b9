import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { loadDataset } from '../datasets/index.js';
import { loadModel } from '../models/io.js';
import { readImage } from '../datasets/image-file.js';
import type { RawImage } from '../datasets/pnm.js';
import { modelInput } from '../image/model-input.js';
import { toSize } from '../image/to-size.js';
import { ConvkitError } from '../util/errors.js';
import { selectBackend } from './backend.js';
import { evaluateSplit, type BatchPredict } from './evaluate.js';
import { readRunConfig } from '../run/config.js';
import { runFiles } from '../run/layout.js';
import { limitTestSplit } from './run.js';
import { pixelsPerImage } from '../datasets/types.js';

/** `convkit evaluate`: the saved model on the test split of its data (or of `data`); with `onnx`, that ONNX file run by onnxruntime instead. */
export async function evaluateRun(dir: string, opts: { data?: string; backend?: string; onnx?: string } = {}) {
  const cfg = await readRunConfig(dir);
  let backend: string;
  let shape: number[];
  let numClasses: number;
  let model: LayersModel | BatchPredict;
  let release: () => Promise<void> | void;
  if (opts.onnx !== undefined) {
    const { openOnnx } = await import('../export/onnx-runtime.js');
    const session = await openOnnx(opts.onnx);
    backend = 'onnxruntime';
    shape = session.inputShape;
    numClasses = session.numClasses;
    model = session.predict;
    release = session.close;
  } else {
    backend = await selectBackend(opts.backend ?? 'auto');
    const m = await loadModel(runFiles(dir).model);
    shape = m.inputs[0].shape.slice(1) as number[];
    numClasses = (m.outputs[0].shape as number[])[1];
    model = m;
    release = () => void m.dispose();
  }
  try {
    const dataset = await loadDataset(opts.data ?? cfg.data, { seed: cfg.seed });
    const [h, w, c] = shape;
    if (dataset.height !== h || dataset.width !== w || dataset.channels !== c) {
      throw new ConvkitError(`images are ${dataset.height}×${dataset.width}×${dataset.channels} but the model expects ${h}×${w}×${c}`, { file: opts.data ?? cfg.data });
    }
    // The run's own data: the test images its result was scored on (its --limit-test subset, if any).
    const test = opts.data === undefined ? limitTestSplit(dataset.test, cfg.limitTest, cfg.seed, pixelsPerImage(dataset)) : dataset.test;
    const ev = await evaluateSplit(model, test, { height: h, width: w, channels: c, numClasses });
    return { data: opts.data ?? cfg.data, count: ev.count, test_accuracy: ev.accuracy, test_loss: ev.loss, backend };
  } finally {
    await release();
  }
}

/** An image as the model's training data was made (see image/model-input.ts); sharp converts channels and size. */
export function predictionInput(img: RawImage, preparation: { mode?: string } | undefined, h: number, w: number, c: number, invert = false): Promise<Float32Array> {
  return modelInput(img, preparation, h, w, c, toSize, invert);
}

export interface Prediction {
  file: string;
  top: { class: number; name: string; probability: number }[];
}

/** `convkit predict`: each image converted like the training data (channels, size, [0, 1]), top-k classes. */
export async function predictImages(dir: string, files: string[], opts: { topK?: number; backend?: string; invert?: boolean } = {}): Promise<Prediction[]> {
  const cfg = await readRunConfig(dir);
  await selectBackend(opts.backend ?? 'auto');
  const model = await loadModel(runFiles(dir).model);
  const [, h, w, c] = model.inputs[0].shape as number[];
  const numClasses = (model.outputs[0].shape as number[])[1];
  const names = cfg.dataset?.classNames ?? [];
  const out: Prediction[] = [];
  for (const file of files) {
    const x = await predictionInput(await readImage(file), cfg.dataset?.preparation, h, w, c, opts.invert);
    const probs = tf.tidy(() => model.predict(tf.tensor4d(x, [1, h, w, c])) as tf.Tensor);
    const p = Array.from(await probs.data());
    probs.dispose();
    const top = p
      .map((probability, k) => ({ class: k, name: names[k] ?? String(k), probability }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, Math.min(opts.topK ?? 3, numClasses));
    out.push({ file, top });
  }
  model.dispose();
  return out;
}
