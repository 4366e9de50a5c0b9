import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadDataset } from '../datasets/index.js';
import type { ImageDataset } from '../datasets/types.js';
import { buildModel, resolveModel } from '../models/index.js';
import { isModelModule, modelModuleSha256 } from '../models/model-file.js';
import { saveModel } from '../models/io.js';
import { ConvkitError, optionError } from '../util/errors.js';
import { settleInterruptedWrites } from '../util/atomic.js';
import { seedGlobalRandom, unseedGlobalRandom } from '../util/rng.js';
import { parseWith } from '../util/schema.js';
import { CONVKIT_VERSION } from '../version.js';
import { nativeAdam, selectBackend } from './backend.js';
import type { BatchShape } from './batches.js';
import { isStateful, type Callback, type EpochLogs, type TrainingContext } from './callbacks/callback.js';
import { findResumeCheckpoint, type LoadedCheckpoint } from '../run/checkpoint.js';
import { readRunConfig, writeRunConfig as writeConfigFile, type RunConfigFile } from '../run/config.js';
import { checkFreshRunDir, checkResumable, clearRunFiles, discardRun } from '../run/dir.js';
import { CHECKPOINT_NAMES, checkpointLabel, runFiles } from '../run/layout.js';
import { acquireRunLock, withRunLock } from '../run/lock.js';
import { truncateMetrics } from '../run/metrics.js';
import { writeRunResult, type RunResult } from '../run/result.js';
import { ModelCheckpoint, restoreCheckpoint } from './callbacks/checkpoint.js';
import { EarlyStopping } from './callbacks/early-stop.js';
import { SIGNAL_EXIT_CODES, StopOnSignal } from './callbacks/interrupt.js';
import { MetricsLog } from './callbacks/metrics-log.js';
import { progressCallback } from './callbacks/progress.js';
import { ReduceLROnPlateau } from './callbacks/reduce-lr.js';
import { StatusFile } from './callbacks/status.js';
import { TensorBoard, trimTensorBoard } from './callbacks/tensorboard.js';
import { TerminateOnNaN } from './callbacks/terminate-on-nan.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS, DEFAULT_LR, TrainConfigSchema, type TrainConfig, type TrainConfigInput } from './config.js';
import { describeAugment, isActive } from './augment/schema.js';
import { evaluateSplit } from './evaluate.js';
import { fit, stepsInEpoch } from './loop.js';
import { lossFor, scheduleCallbacks, withTrainingTools } from './tools.js';
import type { ValidationChoice } from './validation/select.js';
import { runSplits } from './validation/run-splits.js';
import { samplingWeights, savedSamplingWeights, strongerAugmentClasses } from './sampling/weights.js';
import { validationErrors } from './validation/errors.js';
import { loadChosenWeights } from './validation/final-weights.js';


/** The result of a finished run (its file format is run/result.ts's). */
export type TrainResult = RunResult;

export interface ResolvedRun {
  config: TrainConfig & { epochs: number; batchSize: number; lr: number };
  dataset: ImageDataset;
  train: ImageDataset['train'];
  validation: ImageDataset['test'];
  test: ImageDataset['test'];
  shape: BatchShape;
  validationKind: ValidationChoice['kind'];
  validationFraction?: number;
  validationNote?: string;
  /** --sampling balanced | errors: the class weights (config.json's samplingWeights). */
  classWeights?: number[];
  /** --augment-classes. */
  strongerAugment?: Set<number>;
}

export function createOptimizer(name: TrainConfig['optimizer'], lr: number): tf.Optimizer {
  if (name === 'sgd') return tf.train.sgd(lr);
  if (name === 'rmsprop') return tf.train.rmsprop(lr);
  return nativeAdam(lr) ?? tf.train.adam(lr);
}

/** Loads the data and resolves every default (model's, then Fidle's) into one config. */
export async function resolveRun(input: TrainConfigInput, log: (m: string) => void = () => {}): Promise<ResolvedRun> {
  const cfg = parseWith(TrainConfigSchema, input, 'train config');
  const spec = await resolveModel(cfg.model);
  const dataset = await loadDataset(cfg.data, { seed: cfg.seed, log });
  const v = runSplits(cfg, dataset);
  if (v.test.count === 0) throw new ConvkitError('no test images (a run is validated and scored on them)', { file: cfg.data });
  const { train, test, validation } = v;
  if (train.count === 0) throw new ConvkitError('no training images', { file: cfg.data });
  const config = {
    ...cfg,
    epochs: cfg.epochs ?? spec.defaults?.epochs ?? DEFAULT_EPOCHS,
    batchSize: cfg.batchSize ?? spec.defaults?.batchSize ?? DEFAULT_BATCH_SIZE,
    lr: cfg.lr ?? DEFAULT_LR[cfg.optimizer],
  };
  const shape = { height: dataset.height, width: dataset.width, channels: dataset.channels, numClasses: dataset.numClasses };
  const strongerAugment = strongerAugmentClasses(cfg, dataset.numClasses);
  return { config, dataset, train, validation, test, shape, validationKind: v.kind, validationFraction: v.fraction, validationNote: v.note, ...(strongerAugment ? { strongerAugment } : {}) };
}

/** Refuses to overwrite a finished run unless forced; clears what a fresh run rewrites. */
export async function prepareRunDir(dir: string, force: boolean): Promise<void> {
  await clearRunFiles(dir, force);
}

export interface TrainRunOptions {
  log?: (msg: string) => void;
  /** Extra callbacks, run after the built-in ones. */
  callbacks?: Callback[];
  /** false: no progress output at all (same as config progress 'none'). */
  epochLines?: boolean;
  /** Where progress goes (default stderr); a bar needs a TTY. */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where the settings and data came from (config file, prepared set), recorded in the run's config. */
  provenance?: Record<string, unknown>;
}

/** `convkit train`: data → model → fit → the run folder (docs/run-folder.md). */
export async function trainRun(input: TrainConfigInput, opts: TrainRunOptions = {}): Promise<TrainResult> {
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const cfgIn = parseWith(TrainConfigSchema, input, 'train config');
  await resolveModel(cfgIn.model); // fail on an unknown model before touching the disk
  checkMonitors(cfgIn);
  const lock = await acquireRunLock(cfgIn.out, { purpose: 'train', log });
  try {
    const discard = await checkFreshRunDir(cfgIn.out, cfgIn.force);
    const backend = await selectBackend(cfgIn.backend, log);
    const run = await resolveRun(cfgIn, log);
    run.classWeights = await samplingWeights(run.config, run.shape.numClasses);
    if (discard) await discardRun(lock, log); // only once the new run's data loaded
    await prepareRunDir(run.config.out, run.config.force);
    await writeRunConfig(run, backend, undefined, opts.provenance);
    return await executeRun(run, backend, null, opts);
  } finally {
    await lock.release();
  }
}

/** What may change when resuming: more epochs, and how progress is shown. */
export interface ResumeOverrides {
  epochs?: number;
  progress?: TrainConfig['progress'];
  backend?: string;
}

/**
 * `convkit train --resume DIR`: continues a run from its last checkpoint (or the one before if that is damaged),
 * everything else from its config. With the same seed it ends where an uninterrupted run would.
 */
export async function resumeRun(dir: string, overrides: ResumeOverrides = {}, opts: TrainRunOptions = {}): Promise<TrainResult> {
  return withRunLock(dir, () => resumeLockedRun(dir, overrides, opts), { purpose: 'train --resume', create: false, log: opts.log });
}

async function resumeLockedRun(dir: string, overrides: ResumeOverrides, opts: TrainRunOptions): Promise<TrainResult> {
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const files = runFiles(dir);
  const saved = await readRunConfig(dir, '; nothing to resume');
  await checkResumable(dir);
  // `backend` in the config is the one resolved (onednn); the run asked for `requestedBackend` (auto), and keeps asking.
  await checkModelModule(saved, files.config, log);
  const requested = saved.requestedBackend ?? saved.backend;
  const cfgIn = parseWith(TrainConfigSchema, { ...saved, backend: requested, out: dir, force: false, ...definedOnly(overrides) }, files.config);
  const backend = await selectBackend(cfgIn.backend, log);
  const run = await resolveRun(cfgIn, log);
  run.classWeights = savedSamplingWeights(saved, run.config.sampling, run.shape.numClasses, files.config);
  await removeStaleTemporaries(files.checkpoints, log);
  const ck = await findResumeCheckpoint(files.checkpoints, log);
  if (ck && overrides.epochs !== undefined && overrides.epochs < ck.state.epoch) {
    throw optionError('--epochs', `${overrides.epochs} is fewer than the ${ck.state.epoch} epochs this run has already done (${displayPath(ck.dir)})`);
  }
  if (!ck) {
    log(`convkit: ${dir} has no checkpoint yet; restarting it from epoch 1`);
    await prepareRunDir(dir, false);
  }
  if (ck || overrides.epochs !== undefined) await writeRunConfig(run, backend, saved.created, saved.provenance);
  return executeRun(run, backend, ck, opts);
}

/**
 * A model module is code: `--resume` imports it. It must be the one the run started with (its SHA-256 in config.json);
 * the module it runs is said first. A run written before the hash was recorded runs it as before, said so too.
 */
async function checkModelModule(saved: RunConfigFile, configFile: string, log: (m: string) => void): Promise<void> {
  if (!isModelModule(saved.model)) return;
  const file = path.resolve(saved.model);
  const sha = await modelModuleSha256(saved.model).catch(() => null);
  if (sha === null) throw new ConvkitError(`the run's model module ${file} (model in config.json) cannot be read`, { file: configFile });
  if (saved.modelSha256 !== undefined && saved.modelSha256 !== sha) {
    throw new ConvkitError(`the model module ${file} changed since the run started (sha256 ${sha.slice(0, 12)}…, the run recorded ${String(saved.modelSha256).slice(0, 12)}…); resume runs no other code than the run's`, { file: configFile });
  }
  log(`convkit: --resume executes the model module ${file} (sha256 ${sha}${saved.modelSha256 === undefined ? ', not recorded by this older run' : ', as recorded'})`);
}

/** Metrics every epoch logs; a monitor on anything else would only fail (or silently never fire) after an epoch. */
export const MONITORABLE = ['loss', 'accuracy', 'val_loss', 'val_accuracy'] as const;

function checkMonitors(config: TrainConfig): void {
  const monitors: [string, string, boolean][] = [
    ['--checkpoint-monitor', config.checkpointMonitor, true],
    ['--early-stop-monitor', config.earlyStopMonitor, config.earlyStop !== undefined],
    ['--reduce-lr-monitor', config.reduceLrMonitor, config.reduceLr !== undefined],
  ];
  for (const [option, metric, used] of monitors) {
    if (used && !(MONITORABLE as readonly string[]).includes(metric)) throw optionError(option, `unknown metric "${metric}" (one of ${MONITORABLE.join(', ')})`);
  }
}

const definedOnly = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** Checkpoint writes a kill interrupted: a complete new checkpoint is put in place, half-written ones removed. */
async function removeStaleTemporaries(dir: string, log: (m: string) => void): Promise<void> {
  for (const name of await settleInterruptedWrites(dir)) log(`convkit: completed the interrupted write of ${path.join(dir, name)}`);
}

async function writeRunConfig(run: ResolvedRun, backend: string, created?: string, provenance?: Record<string, unknown>): Promise<void> {
  const { config, dataset } = run;
  await writeConfigFile(config.out, {
    ...config,
    ...(isModelModule(config.model) ? { modelSha256: await modelModuleSha256(config.model) } : {}),
    ...(provenance ? { provenance } : {}),
    ...(run.classWeights ? { samplingWeights: run.classWeights } : {}),
    backend,
    requestedBackend: config.backend,
    dataset: { name: dataset.name, source: dataset.source, height: dataset.height, width: dataset.width, channels: dataset.channels, numClasses: dataset.numClasses, classNames: dataset.classNames, preparation: dataset.preparation, trainCount: run.train.count, validationCount: run.validation.count, testCount: run.test.count },
    versions: { convkit: CONVKIT_VERSION, tfjsCore: tf.version_core, tfjsLayers: tfl.version_layers, node: process.version },
    created: created ?? new Date().toISOString(),
  });
}

/** Builds the model, restores `ck` if given, trains with every callback, then writes the model and the result. */
async function executeRun(run: ResolvedRun, backend: string, ck: LoadedCheckpoint | null, opts: TrainRunOptions): Promise<TrainResult> {
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const { config, dataset, shape } = run;
  const dir = config.out;
  const files = runFiles(dir);
  const steps = stepsInEpoch(run.train.count, config.batchSize, config.stepsPerEpoch);

  seedGlobalRandom(config.seed);
  const model = await buildModel(config.model, { inputShape: [shape.height, shape.width, shape.channels], numClasses: shape.numClasses });
  model.compile({ optimizer: withTrainingTools(createOptimizer(config.optimizer, config.lr), config), loss: lossFor(config), metrics: ['accuracy'] });

  // Order matters at each epoch end: metrics and curves first, then the callbacks that change state, then the checkpoint that saves it.
  const stopOnSignal = new StopOnSignal(log);
  const callbacks: Callback[] = [new TerminateOnNaN(), stopOnSignal, new MetricsLog(files.metrics)];
  const progress = opts.epochLines === false ? null : progressCallback(config.progress, opts.progressStream ?? process.stderr);
  if (progress) callbacks.push(progress);
  const tensorboard = config.tensorboard ? new TensorBoard({ logDir: files.tensorboard, model, batches: config.tensorboardBatches, histograms: config.tensorboardHistograms }) : null;
  if (tensorboard) callbacks.push(tensorboard);
  callbacks.push(...scheduleCallbacks(model, config));
  if (config.reduceLr) callbacks.push(new ReduceLROnPlateau({ model, patience: config.reduceLr, monitor: config.reduceLrMonitor, factor: config.reduceLrFactor, minLr: config.minLr, log }));
  if (config.earlyStop) callbacks.push(new EarlyStopping({ model, patience: config.earlyStop, monitor: config.earlyStopMonitor, minDelta: config.minDelta, restoreBest: config.restoreBest, log }));
  const checkpoint = new ModelCheckpoint({ dir: files.checkpoints, model, monitor: config.checkpointMonitor, mode: config.checkpointMode, saveEvery: config.saveEvery, log });
  callbacks.push(checkpoint);
  const status = new StatusFile(files.status, { epochs: config.epochs, resumedFrom: ck ? { epoch: ck.state.epoch, batch: ck.state.batch } : undefined });
  callbacks.push(status, ...(opts.callbacks ?? []));
  checkpoint.stateful = callbacks.filter(isStateful);

  let history: EpochLogs[] = [];
  let priorSeconds = 0;
  if (ck) {
    history = await truncateMetrics(files.metrics, ck.state.epoch);
    priorSeconds = history.reduce((s, h) => s + h.seconds, 0);
    if (tensorboard) await trimTensorBoard(files.tensorboard, ck.state.epoch, ck.state.batch, steps);
    await restoreCheckpoint(model, ck, checkpoint.stateful); // last: it also restores the random stream
    const at = ck.state.batch ? `epoch ${ck.state.epoch + 1}, batch ${ck.state.batch}/${steps}` : `the end of epoch ${ck.state.epoch}`;
    log(`convkit: resuming ${config.model} on ${dataset.name} from ${displayPath(ck.dir)} (${at}), ${config.epochs} epochs, batch ${config.batchSize}`);
  } else {
    log(`convkit: training ${config.model} on ${dataset.name} (${run.train.count} train, ${describeValidation(run)}, ${shape.height}×${shape.width}×${shape.channels}) with ${backend}, ${config.epochs} epochs${config.stepsPerEpoch ? ` of ${config.stepsPerEpoch} steps` : ''}, batch ${config.batchSize}${isActive(config.augment) ? `, augmented (${describeAugment(config.augment)})` : ''}${run.strongerAugment ? `, ×${config.augmentClassesScale} for classes ${[...run.strongerAugment].join(', ')}` : ''}${run.classWeights ? `, ${config.sampling} sampling${config.samplingFrom ? ` from ${config.samplingFrom}` : ''}` : ''}`);
  }

  let finished = false;
  const finish = async (state: 'completed' | 'failed' | 'interrupted', message?: string) => {
    finished = true;
    await status.finish(state, message);
  };
  try {
    const t0 = performance.now();
    let ctx: TrainingContext | null = null;
    if (ck?.state.stopped) {
      log(`convkit: the checkpoint says training had stopped (${ck.state.stopReason ?? 'stopped'}); finishing the run`);
    } else {
      const r = await fit({
        model,
        train: run.train,
        validation: run.validation,
        shape,
        epochs: config.epochs,
        batchSize: config.batchSize,
        stepsPerEpoch: config.stepsPerEpoch,
        seed: config.seed,
        augment: config.augment,
        ...(run.strongerAugment ? { strongerAugment: { classes: run.strongerAugment, scale: config.augmentClassesScale } } : {}),
        ...(run.classWeights ? { classWeights: run.classWeights } : {}),
        initialEpoch: ck?.state.epoch ?? 0,
        initialBatch: ck?.state.batch ?? 0,
        initialProgress: ck?.state.progress ?? undefined,
        callbacks,
      });
      history.push(...r.history);
      ctx = r.ctx;
    }
    const duration = priorSeconds + (performance.now() - t0) / 1000;
    if (ctx?.failed) {
      const reason = ctx.stopReason ?? 'training failed';
      await finish('failed', reason);
      throw new ConvkitError(reason, { file: dir, exitCode: 1 });
    }
    const doneEpochs = history.length ? history[history.length - 1].epoch : 0;
    if (ctx?.interrupted && (ctx.partialEpoch || (doneEpochs < config.epochs && !ctx.stopReason?.startsWith('early')))) {
      const p = ctx.epochProgress;
      const where = ctx.partialEpoch && p ? `epoch ${p.epoch}, batch ${p.batch}/${steps}` : `the end of epoch ${doneEpochs}`;
      const message = `interrupted by ${ctx.interrupted} at ${where}; ${checkpointLabel(CHECKPOINT_NAMES.last)} saved — continue with: convkit train --resume ${dir}`;
      await finish('interrupted', message);
      throw new ConvkitError(message, { exitCode: SIGNAL_EXIT_CODES[ctx.interrupted] });
    }
    const selected = await loadChosenWeights(model, checkpoint, run.validationKind !== 'test');
    await saveModel(model, files.model);
    const ev = await evaluateSplit(model, run.test, shape);
    // Where the chosen weights err on validation (the test set itself when validation is the test set).
    const valEv = run.validationKind === 'test' ? ev : run.validation.count ? await evaluateSplit(model, run.validation, shape) : null;
    const valErrors = valEv ? validationErrors(run.validation.y, valEv.predicted, shape.numClasses) : {};
    const lastVal = history.length ? history[history.length - 1].val_accuracy : undefined;
    const valAccuracy = selected.checkpoint === 'best' && selected.monitor === 'val_accuracy' ? (selected.value ?? undefined) : selected.checkpoint === 'best' ? history.find((h) => h.epoch === selected.epoch)?.val_accuracy : lastVal;
    const result: TrainResult = {
      test_accuracy: ev.accuracy,
      test_loss: ev.loss,
      test_count: ev.count,
      train_count: run.train.count,
      epochs: history.length,
      duration_s: duration,
      images_per_s: meanThroughput(history),
      backend,
      model: config.model,
      data: config.data,
      validation: { kind: run.validationKind, ...(run.validationFraction !== undefined ? { fraction: run.validationFraction } : {}), count: run.validation.count, ...(run.validationNote ? { note: run.validationNote } : {}) },
      selected,
      ...(valAccuracy !== undefined ? { val_accuracy: valAccuracy } : {}),
      ...valErrors,
    };
    if (!Number.isFinite(ev.loss)) throw new ConvkitError(`training diverged: test loss is ${ev.loss}`, { file: dir, exitCode: 1 });
    await writeRunResult(dir, result);
    await finish('completed', ctx?.stopReason);
    return result;
  } catch (e) {
    if (!finished) await finish('failed', (e as Error).message).catch(() => {});
    throw e;
  } finally {
    stopOnSignal.onTrainEnd();
    tensorboard?.onTrainEnd();
    model.dispose();
    unseedGlobalRandom(); // the seeded stream served this run only
  }
}

export function meanThroughput(history: EpochLogs[]): number {
  const imgs = history.reduce((s, h) => s + h.images_per_s * h.seconds, 0);
  const secs = history.reduce((s, h) => s + h.seconds, 0);
  return secs > 0 ? imgs / secs : 0;
}

/** A path as the user would type it: relative when inside the working directory. */
function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

/** Where validation comes from, for the start line: a user should see at once when the test set doubles as it. */
function describeValidation(run: { validation: { count: number }; validationKind: ValidationChoice['kind']; validationFraction?: number }): string {
  const pct = run.validationFraction !== undefined ? `${+(run.validationFraction * 100).toFixed(2)} % of the ` : '';
  if (run.validationKind === 'tracks') return `${run.validation.count} validation images: ${pct}tracks held out`;
  if (run.validationKind === 'images') return `${run.validation.count} validation images: ${pct}images held out`;
  return `validation on the ${run.validation.count} test images`;
}
