import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { writeModelFiles } from '../../models/io.js';
import { exists, writeDirAtomic, writeDirRotating } from '../../util/atomic.js';
import { ConvkitError } from '../../util/errors.js';
import { globalRandomState, restoreGlobalRandom } from '../../util/rng.js';
import { learningRate, setLearningRate } from '../loop.js';
import type { Callback, EpochLogs, EpochProgress, StatefulCallback, TrainingContext } from './callback.js';
import { Monitor, type MonitorMode, type MonitorState } from './monitor.js';

export const CHECKPOINT_FORMAT = 'convkit-checkpoint/1';
const MANIFEST = 'manifest.json';

type NamedTensor = { name: string; tensor: tf.Tensor };

/** Everything besides the tensors that a resumed run needs (state.json of a checkpoint). */
export interface CheckpointState {
  format: string;
  /** Epochs fully done. */
  epoch: number;
  /** Batches of epoch `epoch + 1` already done (0 at an epoch boundary). */
  batch: number;
  /** Running sums of those batches (mid-epoch checkpoints written on SIGINT/SIGTERM). */
  progress: Pick<EpochProgress, 'lossSum' | 'accSum' | 'seen' | 'seconds'> | null;
  /** State of the seeded Math.random stream tfjs draws dropout masks from. */
  rng: number[] | null;
  lr: number | null;
  optimizer: { className: string; specs: tf.io.WeightsManifestEntry[]; runningProducts?: Record<string, number> };
  callbacks: Record<string, unknown>;
  callbackTensorSpecs: tf.io.WeightsManifestEntry[];
  /** True when training had already decided to stop (early stopping): resuming only finishes the run. */
  stopped: boolean;
  stopReason?: string;
  /** Metrics of epoch `epoch` (absent mid-epoch). */
  logs?: EpochLogs;
  created: string;
}

export interface LoadedCheckpoint {
  dir: string;
  state: CheckpointState;
  weights: tf.Tensor[];
  optimizerWeights: NamedTensor[];
  callbackTensors: Map<string, tf.Tensor[]>;
}

export interface Manifest {
  format: string;
  epoch: number;
  batch: number;
  files: Record<string, { bytes: number; sha256: string }>;
}

// tfjs's Adam/Adamax.setWeights recompute beta^t with pow(), which differs in the last bit from the running
// product the uninterrupted run holds; saving the products themselves makes a resume bit-exact.
const RUNNING_PRODUCTS = ['accBeta1', 'accBeta2'] as const;

function readRunningProducts(opt: tf.Optimizer): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of RUNNING_PRODUCTS) {
    const v = (opt as unknown as Record<string, tf.Variable | undefined>)[k];
    if (v instanceof tf.Variable) out[k] = v.dataSync()[0];
  }
  return out;
}

function writeRunningProducts(opt: tf.Optimizer, products: Record<string, number> | undefined): void {
  for (const [k, value] of Object.entries(products ?? {})) {
    const v = (opt as unknown as Record<string, tf.Variable | undefined>)[k];
    if (v instanceof tf.Variable) tf.tidy(() => v.assign(tf.scalar(value)));
  }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function syncFile(file: string): Promise<void> {
  const fh = await fs.open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes the files of one checkpoint into `dir` (which must be a fresh temporary folder); manifest.json last. */
async function fillCheckpoint(dir: string, model: LayersModel, state: Omit<CheckpointState, 'optimizer' | 'callbackTensorSpecs' | 'format' | 'created' | 'rng' | 'lr'>, stateful: StatefulCallback[]): Promise<void> {
  await writeModelFiles(model, dir);
  const opt = model.optimizer as unknown as tf.Optimizer;
  const optWeights = await opt.getWeights();
  const optEncoded = await tf.io.encodeWeights(optWeights);
  // getWeights makes a fresh scalar for the iteration count; the moments are the optimizer's own variables.
  for (const w of optWeights) if (w.name === 'iter') w.tensor.dispose();
  await fs.writeFile(path.join(dir, 'optimizer.bin'), new Uint8Array(optEncoded.data));

  const callbacks: Record<string, unknown> = {};
  const cbTensors: NamedTensor[] = [];
  for (const c of stateful) {
    callbacks[c.stateKey] = c.getState();
    for (const t of c.getStateTensors?.() ?? []) cbTensors.push({ name: `${c.stateKey}/${t.name}`, tensor: t.tensor });
  }
  const cbEncoded = await tf.io.encodeWeights(cbTensors);
  await fs.writeFile(path.join(dir, 'callbacks.bin'), new Uint8Array(cbEncoded.data));

  const full: CheckpointState = {
    format: CHECKPOINT_FORMAT,
    ...state,
    rng: globalRandomState(),
    lr: learningRate(model) ?? null,
    optimizer: { className: (opt.constructor as unknown as { className?: string }).className ?? opt.getClassName(), specs: optEncoded.specs, runningProducts: readRunningProducts(opt) },
    callbacks,
    callbackTensorSpecs: cbEncoded.specs,
    created: new Date().toISOString(),
  };
  await fs.writeFile(path.join(dir, 'state.json'), JSON.stringify(full, null, 1));

  const manifest: Manifest = { format: CHECKPOINT_FORMAT, epoch: state.epoch, batch: state.batch, files: {} };
  for (const name of (await fs.readdir(dir)).sort()) {
    const file = path.join(dir, name);
    const data = await fs.readFile(file);
    manifest.files[name] = { bytes: data.byteLength, sha256: sha256(data) };
    await syncFile(file);
  }
  await fs.writeFile(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 1));
  await syncFile(path.join(dir, MANIFEST));
}

export interface SaveCheckpointOptions {
  model: LayersModel;
  epoch: number;
  batch?: number;
  progress?: CheckpointState['progress'];
  logs?: EpochLogs;
  stopped?: boolean;
  stopReason?: string;
  stateful?: StatefulCallback[];
  /** Keep the replaced checkpoint as `<dir>.prev` (for `last`). */
  keepPrevious?: boolean;
}

/** Writes a checkpoint folder atomically (model.json + weights.bin, optimizer.bin, callbacks.bin, state.json, manifest.json). */
export async function saveCheckpoint(dir: string, o: SaveCheckpointOptions): Promise<void> {
  const state = { epoch: o.epoch, batch: o.batch ?? 0, progress: o.progress ?? null, logs: o.logs, stopped: o.stopped ?? false, stopReason: o.stopReason, callbacks: {} };
  const fill = (tmp: string) => fillCheckpoint(tmp, o.model, state, o.stateful ?? []);
  // `last` keeps `last.prev`: a resume killed between the two renames falls back to it.
  if (o.keepPrevious) await writeDirRotating(dir, fill);
  else await writeDirAtomic(dir, fill);
}

function decodeInOrder(data: Uint8Array, specs: tf.io.WeightsManifestEntry[]): NamedTensor[] {
  const buf = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const map = tf.io.decodeWeights(buf, specs);
  return specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
}

/** Reads a checkpoint and verifies every file against its manifest; throws a ConvkitError naming the bad file. */
export async function readCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const manifestPath = path.join(dir, MANIFEST);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as Manifest;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConvkitError(code === 'ENOENT' ? 'checkpoint incomplete: manifest.json missing' : `cannot parse manifest.json (${(e as Error).message})`, { file: manifestPath });
  }
  if (manifest.format !== CHECKPOINT_FORMAT || typeof manifest.files !== 'object') throw new ConvkitError(`not a ${CHECKPOINT_FORMAT} manifest`, { file: manifestPath });
  const files = new Map<string, Buffer>();
  for (const [name, want] of Object.entries(manifest.files)) {
    const file = path.join(dir, name);
    let data: Buffer;
    try {
      data = await fs.readFile(file);
    } catch {
      throw new ConvkitError('file listed in manifest.json is missing', { file });
    }
    if (data.byteLength !== want.bytes) throw new ConvkitError(`truncated or corrupt: ${data.byteLength} bytes, manifest.json says ${want.bytes}`, { file });
    if (sha256(data) !== want.sha256) throw new ConvkitError('corrupt: SHA-256 differs from manifest.json', { file });
    files.set(name, data);
  }
  for (const need of ['model.json', 'weights.bin', 'optimizer.bin', 'callbacks.bin', 'state.json']) {
    if (!files.has(need)) throw new ConvkitError(`checkpoint incomplete: ${need} not in manifest.json`, { file: manifestPath });
  }
  const state = JSON.parse(files.get('state.json')!.toString('utf8')) as CheckpointState;
  const modelJson = JSON.parse(files.get('model.json')!.toString('utf8'));
  const weightSpecs: tf.io.WeightsManifestEntry[] = modelJson.weightsManifest.flatMap((g: { weights: tf.io.WeightsManifestEntry[] }) => g.weights);
  const weights = decodeInOrder(files.get('weights.bin')!, weightSpecs).map((w) => w.tensor);
  const optimizerWeights = decodeInOrder(files.get('optimizer.bin')!, state.optimizer.specs);
  const callbackTensors = new Map<string, tf.Tensor[]>();
  for (const t of decodeInOrder(files.get('callbacks.bin')!, state.callbackTensorSpecs)) {
    const key = t.name.slice(0, t.name.indexOf('/'));
    if (!callbackTensors.has(key)) callbackTensors.set(key, []);
    callbackTensors.get(key)!.push(t.tensor);
  }
  return { dir, state, weights, optimizerWeights, callbackTensors };
}

/**
 * The checkpoint a resumed run starts from: `last`, or `last.prev` when `last` is missing or fails its checksums.
 * Returns null when the run wrote no checkpoint yet (it restarts from epoch 1).
 */
export async function findResumeCheckpoint(checkpointsDir: string, warn: (m: string) => void): Promise<LoadedCheckpoint | null> {
  const problems: string[] = [];
  let seen = 0;
  for (const name of ['last', 'last.prev']) {
    const dir = path.join(checkpointsDir, name);
    if (!(await exists(dir))) continue;
    seen++;
    try {
      const ck = await readCheckpoint(dir);
      if (problems.length) warn(`convkit: warning: ${problems.join('; ')}; falling back to ${dir} (epoch ${ck.state.epoch}${ck.state.batch ? `, batch ${ck.state.batch}` : ''})`);
      return ck;
    } catch (e) {
      problems.push(`checkpoint ${dir} is unusable: ${(e as Error).message}`);
    }
  }
  if (seen === 0) return null;
  throw new ConvkitError(`no usable checkpoint to resume from (${problems.join('; ')})`, { file: checkpointsDir });
}

/** Puts a checkpoint back into a freshly built, compiled model: weights, optimizer moments and step, learning rate, callback states, RNG. */
export async function restoreCheckpoint(model: LayersModel, ck: LoadedCheckpoint, stateful: StatefulCallback[]): Promise<void> {
  model.setWeights(ck.weights);
  tf.dispose(ck.weights);
  const opt = model.optimizer as unknown as tf.Optimizer;
  const className = (opt.constructor as unknown as { className?: string }).className ?? opt.getClassName();
  if (className !== ck.state.optimizer.className) {
    throw new ConvkitError(`checkpoint was written by optimizer ${ck.state.optimizer.className}, the run now uses ${className}`, { file: ck.dir });
  }
  // tfjs's setWeights restores Adam's moments and iteration count (and recomputes beta^t from it).
  await opt.setWeights(ck.optimizerWeights);
  tf.dispose(ck.optimizerWeights.map((w) => w.tensor)); // the optimizer made its own variables from them
  writeRunningProducts(opt, ck.state.optimizer.runningProducts);
  if (ck.state.lr !== null) setLearningRate(model, ck.state.lr);
  for (const c of stateful) {
    if (c.stateKey in ck.state.callbacks) c.setState(ck.state.callbacks[c.stateKey]);
    const ts = ck.callbackTensors.get(c.stateKey);
    if (ts && c.setStateTensors) c.setStateTensors(ts);
  }
  if (ck.state.rng) restoreGlobalRandom(ck.state.rng);
}

export interface ModelCheckpointOptions {
  /** The run's `checkpoints/` folder. */
  dir: string;
  model: LayersModel;
  monitor?: string;
  mode?: MonitorMode;
  /** Also keep `epoch-NNN/` every N epochs. */
  saveEvery?: number;
  log?: (m: string) => void;
}

/**
 * Keras's ModelCheckpoint, three ways: `best/` when the monitored metric improves, `last/` (+ `last.prev/`)
 * after every epoch and on interruption, `epoch-NNN/` every N epochs.
 * Put it after the callbacks whose state it saves (early stop, LR schedule).
 */
export class ModelCheckpoint implements StatefulCallback, Callback {
  readonly stateKey = 'checkpoint';
  readonly monitor: Monitor;
  /** Every stateful callback of the run (including this one), set by the run before training. */
  stateful: StatefulCallback[] = [this];
  private warnedMissing = false;

  constructor(readonly o: ModelCheckpointOptions) {
    this.monitor = new Monitor(o.monitor ?? 'val_accuracy', { mode: o.mode });
  }

  get bestDir(): string {
    return path.join(this.o.dir, 'best');
  }
  get lastDir(): string {
    return path.join(this.o.dir, 'last');
  }

  async onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext): Promise<void> {
    const base = { model: this.o.model, epoch, logs, stopped: ctx.stopTraining && !ctx.interrupted, stopReason: ctx.stopReason, stateful: this.stateful };
    if (logs[this.monitor.metric] === undefined) {
      if (!this.warnedMissing) this.o.log?.(`convkit: warning: checkpoint monitor "${this.monitor.metric}" is not logged; checkpoints/best is not written`);
      this.warnedMissing = true;
    } else if (this.monitor.update(epoch, logs)) {
      await saveCheckpoint(this.bestDir, base);
    }
    await saveCheckpoint(this.lastDir, { ...base, keepPrevious: true });
    if (this.o.saveEvery && epoch % this.o.saveEvery === 0) {
      await saveCheckpoint(path.join(this.o.dir, `epoch-${String(epoch).padStart(3, '0')}`), base);
    }
  }

  /** An interrupted run saves where it stopped, mid-epoch included, so resuming loses no batch. */
  async onTrainEnd(ctx: TrainingContext): Promise<void> {
    if (!ctx.interrupted || ctx.failed || !ctx.partialEpoch || !ctx.epochProgress) return;
    const p = ctx.epochProgress;
    await saveCheckpoint(this.lastDir, {
      model: this.o.model,
      epoch: p.epoch - 1,
      batch: p.batch,
      progress: { lossSum: p.lossSum, accSum: p.accSum, seen: p.seen, seconds: p.seconds },
      stateful: this.stateful,
      keepPrevious: true,
    });
  }

  getState(): MonitorState {
    return this.monitor.getState();
  }
  setState(s: unknown): void {
    this.monitor.setState(s as MonitorState);
  }
}
