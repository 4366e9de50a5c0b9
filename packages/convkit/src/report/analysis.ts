import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { loadDataset } from '../datasets/index.js';
import { pixelsPerImage, type ImageDataset, type ImageSplit } from '../datasets/types.js';
import { loadModel } from '../models/io.js';
import { selectBackend } from '../train/backend.js';
import { batchPixels, type BatchShape } from '../train/batches.js';
import { readCheckpoint } from '../run/checkpoint.js';
import { hasCheckpoint, manifestKey, type CheckpointState } from '../run/checkpoint-files.js';
import { notARunError, readRunConfig } from '../run/config.js';
import { hasRunConfig } from '../run/dir.js';
import { ANALYSIS_FILE_NAMES, checkpointDir, RUN_FILE_NAMES, runFiles } from '../run/layout.js';
import { readRunMetricsText } from '../run/metrics.js';
import { readRunResultOrNull, readRunResultText } from '../run/result.js';
import { evaluateSplit, type BatchPredict } from '../train/evaluate.js';
import { loadPredictor } from '../inference/predictor.js';
import { limitTestSplit, splitSeedOf } from '../train/validation/run-splits.js';
import { exists, writeJsonAtomic } from '../util/atomic.js';
import { ConvkitError, isConvkitError } from '../util/errors.js';
import { parseJsonLines } from '../util/json-files.js';
import { CONVKIT_VERSION } from '../version.js';
import { ANALYSIS_FORMAT, type CheckpointName, type ClassInfo, type ConfusionPair, type ErrorSample, type HistoryRow, type PerClassRow, type RunAnalysis, type ValidationClass, type ValidationErrors } from './analysis-types.js';
import { classNamesFor } from './class-names.js';
import { featureMaps } from './feature-maps.js';
import { summariseHistory } from './history.js';
import { CLASS_SIGN_STYLE, classSignUri, splitImageUri } from './images.js';

/** The cache of each checkpoint's analysis in the run folder: one file each, so that a dashboard on `best` and the CLI on `last` do not evict each other. */
export const ANALYSIS_FILES: Record<CheckpointName, string> = ANALYSIS_FILE_NAMES;
export const ANALYSIS_FILE = ANALYSIS_FILES.last;

export interface AnalyseOptions {
  /** Weights to analyse: the last or the best checkpoint; default: the ones the run was scored with, as `evaluate` uses. */
  checkpoint?: CheckpointName;
  backend?: string;
  /** Most confident mistakes kept (default 48). */
  errors?: number;
  /** Probabilities kept per mistake (default 5). */
  topK?: number;
  /** Test images whose feature maps are drawn (default: 3 chosen by `pickFeatureMapImages`). */
  featureMapImages?: number[];
  /** Recompute even when the cached analysis matches. */
  force?: boolean;
  /** Do not write the cached analysis. */
  noCache?: boolean;
  log?: (msg: string) => void;
}

const sha256 = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The checkpoint holding the weights a finished run was scored with and saved as its model (the result's `selected`:
 * `best` when it validated on held-out training images), which `evaluate` uses; `last` otherwise.
 */
export async function scoredCheckpoint(runDir: string): Promise<CheckpointName> {
  return (await readRunResultOrNull(runDir))?.selected?.checkpoint === 'best' ? 'best' : 'last';
}

/** The weights a report is about; a run without them (nothing trained yet, torn folder) is bad input. */
async function checkpointInfo(runDir: string, name: CheckpointName) {
  const dir = checkpointDir(runDir, name);
  if (!(await hasCheckpoint(runDir, name))) {
    if (!(await hasRunConfig(runDir))) throw notARunError(runDir);
    const other = name === 'best' ? 'last' : 'best';
    const ckpts = RUN_FILE_NAMES.checkpoints;
    const alt = (await hasCheckpoint(runDir, other)) ? `; ${ckpts}/${other} exists (--checkpoint ${other})` : '; no epoch has finished yet';
    throw new ConvkitError(`no finished checkpoint: ${ckpts}/${name} is missing or incomplete${alt}`, { file: dir });
  }
  // Read before the files are verified: a checkpoint replaced meanwhile (a run still training) only makes the cache
  // entry written under this key stale, never a stale entry look fresh.
  return { dir, manifestSha: await manifestKey(dir) };
}

/** The checkpoint's model with the weights its manifest vouches for, and its state (epoch, batch). */
async function loadCheckpointModel(dir: string): Promise<{ model: LayersModel; state: CheckpointState }> {
  const ck = await readCheckpoint(dir); // verifies every file against its manifest
  tf.dispose([...ck.optimizerWeights.map((w) => w.tensor), ...[...ck.callbackTensors.values()].flat()]);
  try {
    const model = await loadModel(dir); // the topology; its weights are replaced by the verified ones just read
    model.setWeights(ck.weights);
    return { model, state: ck.state };
  } finally {
    tf.dispose(ck.weights);
  }
}

/** Loads the run's data; a file that has gone since training is named as such. */
async function loadRunData(runDir: string, data: string, seed: number): Promise<ImageDataset> {
  try {
    return await loadDataset(data, { seed });
  } catch (e) {
    const looksLikePath = data.includes('/') || /\.(h5|hdf5)$/i.test(data);
    const spec = data.startsWith('gtsrb:') ? data.slice(6) : data;
    if (isConvkitError(e) && looksLikePath && !(await exists(spec))) {
      throw new ConvkitError(`the run's data is gone (named by ${runFiles(runDir).config} "data")`, { file: spec });
    }
    throw e;
  }
}

/** Test images for the feature maps: the first right answer, the most confident mistake, a right answer of another class. */
export function pickFeatureMapImages(y: Int32Array, predicted: Int32Array, confidence: Float32Array, n = 3): number[] {
  const picks: number[] = [];
  const right = [...y.keys()].filter((i) => predicted[i] === y[i]);
  const wrong = [...y.keys()].filter((i) => predicted[i] !== y[i]).sort((a, b) => confidence[b] - confidence[a] || a - b);
  if (right.length) picks.push(right[0]);
  if (wrong.length) picks.push(wrong[0]);
  for (const i of right) {
    if (picks.length >= n) break;
    if (!picks.some((p) => y[p] === y[i])) picks.push(i);
  }
  for (let i = 0; picks.length < Math.min(n, y.length); i++) if (!picks.includes(i)) picks.push(i);
  return picks.slice(0, n);
}

async function probabilities(predict: BatchPredict, split: ImageSplit, indices: number[], shape: BatchShape): Promise<Float32Array> {
  if (!indices.length) return new Float32Array(0);
  return Float32Array.from(await predict(batchPixels(split, Int32Array.from(indices), 0, indices.length, shape), indices.length));
}

/** Confusion counts (rows = true class) and the per-class table. */
export function confusionOf(y: Int32Array, predicted: Int32Array, numClasses: number, names: string[]): { confusion: number[][]; perClass: PerClassRow[]; topConfusions: ConfusionPair[] } {
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < y.length; i++) confusion[y[i]][predicted[i]]++;
  const perClass = confusion.map((row, c) => {
    const count = row.reduce((s, v) => s + v, 0);
    const predictedAs = confusion.reduce((s, r) => s + r[c], 0);
    const correct = row[c];
    const precision = predictedAs ? correct / predictedAs : 0;
    const recall = count ? correct / count : 0;
    return { class: c, name: names[c], count, predicted: predictedAs, correct, precision, recall, accuracy: recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
  });
  const topConfusions: ConfusionPair[] = [];
  confusion.forEach((row, t) => row.forEach((count, p) => t !== p && count && topConfusions.push({ true: t, predicted: p, count, share: count / perClass[t].count })));
  topConfusions.sort((a, b) => b.count - a.count || b.share - a.share || a.true - b.true);
  return { confusion, perClass, topConfusions: topConfusions.slice(0, 30) };
}

/** result.json's val_per_class / val_confusions, kept only as far as they are well-formed (a handed-over run folder may hold anything). */
function validationErrorsOf(r: { val_per_class?: unknown; val_confusions?: unknown }, numClasses: number): ValidationErrors | undefined {
  if (!Array.isArray(r.val_per_class)) return undefined;
  const isClass = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < numClasses;
  const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
  const perClass: ValidationClass[] = r.val_per_class
    .filter((c): c is ValidationClass => isClass(c?.class) && isCount(c?.count) && (c.recall === null || (typeof c.recall === 'number' && c.recall >= 0 && c.recall <= 1)))
    .map((c) => ({ class: c.class, count: c.count, recall: c.recall }));
  const counts = new Map(perClass.map((c) => [c.class, c.count]));
  const confusions: ConfusionPair[] = (Array.isArray(r.val_confusions) ? r.val_confusions : [])
    .filter((p): p is ConfusionPair => isClass(p?.true) && isClass(p?.predicted) && isCount(p?.count) && p.count > 0)
    .map((p) => ({ true: p.true, predicted: p.predicted, count: p.count, share: counts.get(p.true) ? p.count / counts.get(p.true)! : 0 }));
  return { perClass, confusions };
}

/**
 * What a report shows of a split, from any probabilities function (a run's predictor, an ensemble's average): the
 * evaluation, classes (with their meta pictograms when the set has them), confusion, per-class table, most confident errors.
 */
export async function analyseSplit(predict: BatchPredict, test: ImageSplit, shape: BatchShape, names: string[], meta: ImageSplit | undefined, settings: { errors: number; topK: number }) {
  const { height: h, width: w, channels: c, numClasses } = shape;
  const ev = await evaluateSplit(predict, test, shape);
  const { confusion, perClass, topConfusions } = confusionOf(test.y, ev.predicted, numClasses, names);

  const classes: ClassInfo[] = names.map((n, id) => ({ id, name: n }));
  if (meta) {
    for (let i = 0; i < meta.count; i++) {
      const id = meta.y[i];
      if (classes[id] && !classes[id].image) classes[id].image = await classSignUri(meta, i, h, w, c);
    }
  }

  const wrong = [...test.y.keys()].filter((i) => ev.predicted[i] !== test.y[i]).sort((a, b) => ev.confidence[b] - ev.confidence[a] || a - b);
  const worstIdx = wrong.slice(0, settings.errors);
  const probs = await probabilities(predict, test, worstIdx, shape);
  const worst: ErrorSample[] = [];
  for (const [j, i] of worstIdx.entries()) {
    const p = probs.subarray(j * numClasses, (j + 1) * numClasses);
    const top = [...p.keys()].sort((a, b) => p[b] - p[a]).slice(0, Math.min(settings.topK, numClasses)).map((k) => ({ class: k, probability: p[k] }));
    worst.push({ index: i, true: test.y[i], predicted: ev.predicted[i], probability: ev.confidence[i], trueProbability: ev.trueProbability[i], top, image: await splitImageUri(test, i, h, w, c) });
  }
  return { ev, classes, confusion, perClass, topConfusions, errors: { count: wrong.length, worst } };
}

/**
 * Evaluates a run's test split once with the chosen checkpoint and gathers what its report shows; cached in
 * the run folder (`ANALYSIS_FILES`), recomputed when the checkpoint, the metrics or convkit's analysis format change (or the file
 * is unreadable).
 */
export async function analyseRun(runDir: string, opts: AnalyseOptions = {}): Promise<RunAnalysis> {
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const name = opts.checkpoint ?? (await scoredCheckpoint(runDir));
  const cfg = await readRunConfig(runDir);
  const ck = await checkpointInfo(runDir, name);
  const metricsText = await readRunMetricsText(runDir);
  const resultText = await readRunResultText(runDir);
  const settings = { errors: opts.errors ?? 48, topK: opts.topK ?? 5, featureMapImages: opts.featureMapImages ?? null };
  const key = sha256(JSON.stringify([ANALYSIS_FORMAT, CONVKIT_VERSION, CLASS_SIGN_STYLE, name, ck.manifestSha, sha256(metricsText), sha256(resultText), cfg.data, cfg.limitTest ?? null, settings]));
  const cacheFile = path.join(runDir, ANALYSIS_FILES[name]);

  if (!opts.force) {
    const text = await readText(cacheFile);
    if (text) {
      try {
        const cached = JSON.parse(text) as RunAnalysis & { cache_key?: string };
        if (cached.format === ANALYSIS_FORMAT && cached.cache_key === key) return { ...cached, run: runDir };
      } catch {
        log(`convkit: warning: ${cacheFile} is unreadable; recomputing it`);
      }
    }
  }

  const backend = await selectBackend(opts.backend ?? 'auto', log);
  const dataset = await loadRunData(runDir, cfg.data, cfg.seed);
  const { model, state } = await loadCheckpointModel(ck.dir);
  // The test split through the compiled predictor (oneDNN plan, or tfjs when a layer has no native form); the feature
  // maps through the model's own layers.
  const predictor = await loadPredictor(model, { backend });
  try {
    const [, h, w, c] = model.inputs[0].shape as number[];
    if (dataset.height !== h || dataset.width !== w || dataset.channels !== c) {
      throw new ConvkitError(`images are ${dataset.height}×${dataset.width}×${dataset.channels} but the model expects ${h}×${w}×${c}`, { file: cfg.data });
    }
    const numClasses = (model.outputs[0].shape as number[])[1];
    const shape = { height: h, width: w, channels: c, numClasses };
    // The test images `convkit evaluate` scores the run on (its --limit-test subset, if any), with the same function.
    const test = limitTestSplit(dataset.test, cfg.limitTest, splitSeedOf(cfg), pixelsPerImage(dataset));
    const names = classNamesFor(numClasses, cfg.data, dataset.classNames ?? cfg.dataset?.classNames);
    const { ev, classes, confusion, perClass, topConfusions, errors } = await analyseSplit((x, n) => predictor.predict(x, n), test, shape, names, dataset.meta, settings);
    const fmIdx = (settings.featureMapImages ?? pickFeatureMapImages(test.y, ev.predicted, ev.confidence)).filter((i) => Number.isInteger(i) && i >= 0 && i < test.count);
    const maps = await featureMaps(model, test, fmIdx, shape);
    const featureMapsOut = maps.every((m) => !m.length) ? [] : await Promise.all(fmIdx.map(async (i, s) => ({ index: i, true: test.y[i], predicted: ev.predicted[i], image: await splitImageUri(test, i, h, w, c), layers: maps[s] })));

    let result: RunAnalysis['result'];
    let validation: RunAnalysis['validation'];
    if (resultText) {
      try {
        const r = JSON.parse(resultText);
        result = { test_accuracy: r.test_accuracy, test_loss: r.test_loss, epochs: r.epochs, duration_s: r.duration_s, images_per_s: r.images_per_s };
        validation = validationErrorsOf(r, numClasses);
      } catch {
        /* an unreadable result only loses the training-time figures */
      }
    }
    // a torn last line of the metrics (a run killed mid-write, or still writing) is skipped
    const history = summariseHistory(parseJsonLines<HistoryRow>(metricsText));
    const analysis: RunAnalysis & { cache_key: string } = {
      format: ANALYSIS_FORMAT,
      run: runDir,
      created: new Date().toISOString(),
      convkit_version: CONVKIT_VERSION,
      model: cfg.model,
      data: cfg.data,
      backend,
      input: { height: h, width: w, channels: c },
      checkpoint: { name, epoch: state.epoch, batch: state.batch, key: ck.manifestSha },
      test: { count: ev.count, accuracy: ev.accuracy, loss: ev.loss },
      result,
      ...(validation ? { validation } : {}),
      classes,
      confusion,
      perClass,
      topConfusions,
      errors,
      history,
      featureMaps: featureMapsOut,
      cache_key: key,
    };
    if (!opts.noCache) {
      // A run folder the user cannot write to (someone else's runs) still gets its report, only uncached.
      await writeJsonAtomic(cacheFile, analysis).catch((e: NodeJS.ErrnoException) => log(`convkit: warning: cannot write ${cacheFile} (${e.code ?? e.message}); the analysis is not cached`));
    }
    return analysis;
  } finally {
    predictor.dispose();
    model.dispose();
  }
}
