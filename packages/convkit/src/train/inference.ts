import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadDataset } from '../datasets/index.js';
import { benchmarkPredictor } from '../inference/benchmark.js';
import { loadPredictor } from '../inference/predictor.js';
import { threadSettings } from '../inference/threads.js';
import { readImage } from '../datasets/image-file.js';
import type { RawImage } from '../datasets/pnm.js';
import { modelInput } from '../image/model-input.js';
import { toSize } from '../image/to-size.js';
import { ConvkitError } from '../util/errors.js';
import { selectBackend } from './backend.js';
import { evaluateSplit, type BatchPredict } from './evaluate.js';
import { readRunConfig } from '../run/config.js';
import { limitTestSplit, splitSeedOf } from './validation/run-splits.js';
import { pixelsPerImage } from '../datasets/types.js';

/** `convkit evaluate`: the saved model on the test split of its data (or of `data`); with `onnx`, that ONNX file run by onnxruntime instead. */
export async function evaluateRun(dir: string, opts: { data?: string; backend?: string; onnx?: string } = {}) {
  const cfg = await readRunConfig(dir);
  let backend: string;
  let shape: number[];
  let numClasses: number;
  let model: BatchPredict;
  let engine: string;
  let release: () => Promise<void> | void;
  if (opts.onnx !== undefined) {
    const { openOnnx } = await import('../export/onnx-runtime.js');
    const session = await openOnnx(opts.onnx);
    backend = 'onnxruntime';
    shape = session.inputShape;
    numClasses = session.numClasses;
    model = session.predict;
    engine = 'onnxruntime';
    release = session.close;
  } else {
    backend = await selectBackend(opts.backend ?? 'auto');
    const p = await loadPredictor(dir, { backend: opts.backend });
    shape = p.inputShape;
    numClasses = p.numClasses;
    model = (x, n) => p.predict(x, n);
    engine = p.engine;
    release = () => p.dispose();
  }
  try {
    const dataset = await loadDataset(opts.data ?? cfg.data, { seed: cfg.seed });
    const [h, w, c] = shape;
    if (dataset.height !== h || dataset.width !== w || dataset.channels !== c) {
      throw new ConvkitError(`images are ${dataset.height}×${dataset.width}×${dataset.channels} but the model expects ${h}×${w}×${c}`, { file: opts.data ?? cfg.data });
    }
    // The run's own data: the test images its result was scored on (its --limit-test subset, if any).
    const test = opts.data === undefined ? limitTestSplit(dataset.test, cfg.limitTest, splitSeedOf(cfg), pixelsPerImage(dataset)) : dataset.test;
    const ev = await evaluateSplit(model, test, { height: h, width: w, channels: c, numClasses });
    return { data: opts.data ?? cfg.data, count: ev.count, test_accuracy: ev.accuracy, test_loss: ev.loss, backend, engine };
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

/** Image files convkit reads (`readImage`). */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.pgm', '.ppm', '.pnm'] as const;

/** Each input as given, a folder replaced by its image files (recursively, sorted; other files and symlinks skipped). */
export async function expandImageInputs(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && (IMAGE_EXTENSIONS as readonly string[]).includes(path.extname(e.name).toLowerCase())) out.push(p);
    }
  };
  for (const input of inputs) {
    const st = await fs.stat(input).catch(() => null);
    if (st?.isDirectory()) {
      const before = out.length;
      await walk(input);
      if (out.length === before) throw new ConvkitError(`no image files (${IMAGE_EXTENSIONS.join(', ')}) in this folder`, { file: input });
    } else out.push(input); // a missing file is named by readImage
  }
  return out;
}

/** The CSV of `convkit predict --csv`: file, then class, name and probability of each of the top k. */
export function predictionsCsv(preds: Prediction[], k: number): string {
  const q = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const head = ['file', ...Array.from({ length: k }, (_, i) => [`class_${i + 1}`, `name_${i + 1}`, `probability_${i + 1}`]).flat()];
  const rows = preds.map((p) => [q(p.file), ...p.top.flatMap((t) => [String(t.class), q(t.name), t.probability.toFixed(6)])].join(','));
  return [head.join(','), ...rows].join('\n') + '\n';
}

/**
 * `convkit predict`: the images (files, or folders of them) converted like the training data (channels, size,
 * [0, 1]) and classified by batches with the run's predictor; top-k classes each. `onProgress` hears after each batch.
 */
export async function predictImages(
  dir: string,
  inputs: string[],
  opts: { topK?: number; backend?: string; invert?: boolean; batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<Prediction[]> {
  const cfg = await readRunConfig(dir);
  const files = await expandImageInputs(inputs);
  await selectBackend(opts.backend ?? 'auto');
  const predictor = await loadPredictor(dir, { backend: opts.backend });
  try {
    const [h, w, c] = predictor.inputShape;
    const k = predictor.numClasses;
    const size = h * w * c;
    const names = cfg.dataset?.classNames ?? [];
    const batch = opts.batchSize ?? 64;
    const out: Prediction[] = [];
    for (let start = 0; start < files.length; start += batch) {
      const chunk = files.slice(start, start + batch);
      const x = new Float32Array(chunk.length * size);
      for (const [i, file] of chunk.entries()) x.set(await predictionInput(await readImage(file), cfg.dataset?.preparation, h, w, c, opts.invert), i * size);
      const probs = predictor.predict(x, chunk.length);
      for (const [i, file] of chunk.entries()) {
        const top = Array.from(probs.subarray(i * k, (i + 1) * k), (probability, cls) => ({ class: cls, name: names[cls] ?? String(cls), probability }))
          .sort((a, b) => b.probability - a.probability)
          .slice(0, Math.min(opts.topK ?? 3, k));
        out.push({ file, top });
      }
      opts.onProgress?.(out.length, files.length);
    }
    return out;
  } finally {
    predictor.dispose();
  }
}

/** `convkit predict RUN --benchmark`: the run's predictor timed on random input of its shape. */
export async function benchmarkRun(dir: string, opts: { batchSize: number; backend?: string; rounds?: number; seconds?: number }) {
  await readRunConfig(dir); // names a folder that is not a run
  const backend = await selectBackend(opts.backend ?? 'auto');
  const predictor = await loadPredictor(dir, { backend: opts.backend });
  try {
    return { run: dir, backend, ...(predictor.note ? { note: predictor.note } : {}), ...benchmarkPredictor(predictor, opts), threads: threadSettings() };
  } finally {
    predictor.dispose();
  }
}
