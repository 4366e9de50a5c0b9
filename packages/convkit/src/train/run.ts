import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadDataset } from '../datasets/sources.js';
import { selectSplit, pixelsPerImage, type ImageDataset } from '../datasets/types.js';
import { getModel } from '../models/index.js';
import { saveModel } from '../models/io.js';
import { ConvkitError } from '../util/errors.js';
import { exists, writeJsonAtomic } from '../util/atomic.js';
import { seedGlobalRandom, stratifiedSplit, stratifiedSubset } from '../util/rng.js';
import { parseWith } from '../util/schema.js';
import { CONVKIT_VERSION } from '../version.js';
import { selectBackend } from './backend.js';
import type { BatchShape } from './batches.js';
import type { Callback, EpochLogs } from './callbacks/callback.js';
import { EpochLine } from './callbacks/epoch-line.js';
import { MetricsLog } from './callbacks/metrics-log.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS, DEFAULT_LR, TrainConfigSchema, type TrainConfig, type TrainConfigInput } from './config.js';
import { evaluateSplit } from './evaluate.js';
import { fit } from './loop.js';

/** The files of a run folder. */
export function runFiles(dir: string) {
  return {
    config: path.join(dir, 'config.json'),
    metrics: path.join(dir, 'metrics.jsonl'),
    model: path.join(dir, 'model'),
    result: path.join(dir, 'result.json'),
    status: path.join(dir, 'status.json'),
  };
}

export interface TrainResult {
  test_accuracy: number;
  test_loss: number;
  epochs: number;
  duration_s: number;
  images_per_s: number;
  backend: string;
  model: string;
  data: string;
}

export interface ResolvedRun {
  config: TrainConfig & { epochs: number; batchSize: number; lr: number };
  dataset: ImageDataset;
  train: ImageDataset['train'];
  validation: ImageDataset['test'];
  test: ImageDataset['test'];
  shape: BatchShape;
}

export function createOptimizer(name: TrainConfig['optimizer'], lr: number): tf.Optimizer {
  if (name === 'sgd') return tf.train.sgd(lr);
  if (name === 'rmsprop') return tf.train.rmsprop(lr);
  return tf.train.adam(lr);
}

/** Loads the data and resolves every default (model's, then Fidle's) into one config. */
export async function resolveRun(input: TrainConfigInput, log: (m: string) => void = () => {}): Promise<ResolvedRun> {
  const cfg = parseWith(TrainConfigSchema, input, 'train config');
  const spec = getModel(cfg.model);
  const dataset = await loadDataset(cfg.data, { seed: cfg.seed, log });
  const pixels = pixelsPerImage(dataset);
  let train = dataset.train;
  let test = dataset.test;
  if (cfg.limitTrain && cfg.limitTrain < train.count) train = selectSplit(train, stratifiedSubset(train.y, cfg.limitTrain / train.count, cfg.seed), pixels);
  if (cfg.limitTest && cfg.limitTest < test.count) test = selectSplit(test, stratifiedSubset(test.y, cfg.limitTest / test.count, cfg.seed + 1), pixels);
  let validation = test;
  if (cfg.validation !== 'test') {
    const s = stratifiedSplit(train.y, cfg.validation, cfg.seed + 2);
    validation = selectSplit(train, s.test, pixels);
    train = selectSplit(train, s.train, pixels);
  }
  if (train.count === 0) throw new ConvkitError('no training images', { file: cfg.data });
  const config = {
    ...cfg,
    epochs: cfg.epochs ?? spec.defaults?.epochs ?? DEFAULT_EPOCHS,
    batchSize: cfg.batchSize ?? spec.defaults?.batchSize ?? DEFAULT_BATCH_SIZE,
    lr: cfg.lr ?? DEFAULT_LR[cfg.optimizer],
  };
  const shape = { height: dataset.height, width: dataset.width, channels: dataset.channels, numClasses: dataset.numClasses };
  return { config, dataset, train, validation, test, shape };
}

/** Refuses to overwrite a finished run unless forced; clears what a fresh run rewrites. */
export async function prepareRunDir(dir: string, force: boolean): Promise<void> {
  const f = runFiles(dir);
  if ((await exists(f.result)) && !force) {
    throw new ConvkitError('output directory holds a finished run (result.json exists); use --force to overwrite or another --out', { file: dir });
  }
  await fs.mkdir(dir, { recursive: true });
  for (const p of [f.result, f.metrics, f.model, f.status, path.join(dir, 'checkpoints'), path.join(dir, 'tb')]) {
    await fs.rm(p, { recursive: true, force: true });
  }
}

export interface TrainRunOptions {
  log?: (msg: string) => void;
  /** Extra callbacks (progress bar, checkpoints, …) after the metrics log. */
  callbacks?: Callback[];
  /** Print one line per epoch on stderr (default true). */
  epochLines?: boolean;
}

/** `convkit train`: data → model → fit → model/, metrics.jsonl, result.json. */
export async function trainRun(input: TrainConfigInput, opts: TrainRunOptions = {}): Promise<TrainResult> {
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const cfgIn = parseWith(TrainConfigSchema, input, 'train config');
  getModel(cfgIn.model); // fail on an unknown model before touching the disk
  const backend = await selectBackend(cfgIn.backend, log);
  const run = await resolveRun(cfgIn, log);
  const { config, dataset, shape } = run;
  await prepareRunDir(config.out, config.force);
  const files = runFiles(config.out);
  await writeJsonAtomic(files.config, {
    ...config,
    backend,
    dataset: { name: dataset.name, source: dataset.source, height: dataset.height, width: dataset.width, channels: dataset.channels, numClasses: dataset.numClasses, classNames: dataset.classNames, trainCount: run.train.count, validationCount: run.validation.count, testCount: run.test.count },
    versions: { convkit: CONVKIT_VERSION, tfjsCore: tf.version_core, tfjsLayers: tfl.version_layers, node: process.version },
    created: new Date().toISOString(),
  });

  seedGlobalRandom(config.seed);
  const model = getModel(config.model).build({ inputShape: [shape.height, shape.width, shape.channels], numClasses: shape.numClasses });
  model.compile({ optimizer: createOptimizer(config.optimizer, config.lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  log(`convkit: training ${config.model} on ${dataset.name} (${run.train.count} train, ${run.validation.count} validation images, ${shape.height}×${shape.width}×${shape.channels}) with ${backend}, ${config.epochs} epochs, batch ${config.batchSize}`);

  const callbacks: Callback[] = [new MetricsLog(files.metrics)];
  if (opts.epochLines !== false) callbacks.push(new EpochLine(log));
  callbacks.push(...(opts.callbacks ?? []));
  const t0 = performance.now();
  const { history } = await fit({ model, train: run.train, validation: run.validation, shape, epochs: config.epochs, batchSize: config.batchSize, seed: config.seed, callbacks });
  const duration = (performance.now() - t0) / 1000;
  await saveModel(model, files.model);
  const ev = await evaluateSplit(model, run.test, shape);
  const result: TrainResult = {
    test_accuracy: ev.accuracy,
    test_loss: ev.loss,
    epochs: history.length,
    duration_s: duration,
    images_per_s: meanThroughput(history),
    backend,
    model: config.model,
    data: config.data,
  };
  if (!Number.isFinite(ev.loss)) throw new ConvkitError(`training diverged: test loss is ${ev.loss}`, { file: config.out, exitCode: 1 });
  await writeJsonAtomic(files.result, result);
  model.dispose();
  return result;
}

export function meanThroughput(history: EpochLogs[]): number {
  const imgs = history.reduce((s, h) => s + h.images_per_s * h.seconds, 0);
  const secs = history.reduce((s, h) => s + h.seconds, 0);
  return secs > 0 ? imgs / secs : 0;
}
