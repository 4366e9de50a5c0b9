import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { CheckpointState } from '../../run/checkpoint-files.js';
import { writeCheckpoint, type LoadedCheckpoint, type NamedTensor } from '../../run/checkpoint.js';
import { CHECKPOINT_NAMES, checkpointLabel, epochCheckpointName } from '../../run/layout.js';
import { ConvkitError } from '../../util/errors.js';
import { globalRandomState, restoreGlobalRandom } from '../../util/rng.js';
import { learningRate, setLearningRate } from '../loop.js';
import type { Callback, EpochLogs, StatefulCallback, TrainingContext } from './callback.js';
import { Monitor, type MonitorMode, type MonitorState } from './monitor.js';

// The Keras callback and the training state a checkpoint holds; the checkpoint's files are run/checkpoint.ts's.

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

/** Writes a checkpoint folder atomically (its files: run/checkpoint.ts). */
export async function saveCheckpoint(dir: string, o: SaveCheckpointOptions): Promise<void> {
  const opt = o.model.optimizer as unknown as tf.Optimizer;
  const optimizerWeights = await opt.getWeights();
  const callbacks: Record<string, unknown> = {};
  const callbackTensors: NamedTensor[] = [];
  for (const c of o.stateful ?? []) {
    callbacks[c.stateKey] = c.getState();
    for (const t of c.getStateTensors?.() ?? []) callbackTensors.push({ name: `${c.stateKey}/${t.name}`, tensor: t.tensor });
  }
  const state = {
    epoch: o.epoch,
    batch: o.batch ?? 0,
    progress: o.progress ?? null,
    logs: o.logs,
    stopped: o.stopped ?? false,
    stopReason: o.stopReason,
    callbacks,
    rng: globalRandomState(),
    lr: learningRate(o.model) ?? null,
    optimizer: { className: (opt.constructor as unknown as { className?: string }).className ?? opt.getClassName(), runningProducts: readRunningProducts(opt) },
  };
  try {
    // `last` keeps the one before: a resume killed between the two renames falls back to it.
    await writeCheckpoint(dir, { model: o.model, optimizerWeights, callbackTensors, state }, { keepPrevious: o.keepPrevious });
  } finally {
    // getWeights makes a fresh scalar for the iteration count; the moments are the optimizer's own variables.
    for (const w of optimizerWeights) if (w.name === 'iter') w.tensor.dispose();
  }
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
  /** The run's checkpoints folder (`runFiles(dir).checkpoints`). */
  dir: string;
  model: LayersModel;
  monitor?: string;
  mode?: MonitorMode;
  /** Also keep `epoch-NNN/` every N epochs. */
  saveEvery?: number;
  log?: (m: string) => void;
}

/**
 * Keras's ModelCheckpoint, three ways: `best` when the monitored metric improves, `last` (and the one before it)
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
    return path.join(this.o.dir, CHECKPOINT_NAMES.best);
  }
  get lastDir(): string {
    return path.join(this.o.dir, CHECKPOINT_NAMES.last);
  }

  async onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext): Promise<void> {
    const base = { model: this.o.model, epoch, logs, stopped: ctx.stopTraining && !ctx.interrupted, stopReason: ctx.stopReason, stateful: this.stateful };
    if (logs[this.monitor.metric] === undefined) {
      if (!this.warnedMissing) this.o.log?.(`convkit: warning: checkpoint monitor "${this.monitor.metric}" is not logged; ${checkpointLabel(CHECKPOINT_NAMES.best)} is not written`);
      this.warnedMissing = true;
    } else if (this.monitor.update(epoch, logs)) {
      await saveCheckpoint(this.bestDir, base);
    }
    await saveCheckpoint(this.lastDir, { ...base, keepPrevious: true });
    if (this.o.saveEvery && epoch % this.o.saveEvery === 0) {
      await saveCheckpoint(path.join(this.o.dir, epochCheckpointName(epoch)), base);
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
