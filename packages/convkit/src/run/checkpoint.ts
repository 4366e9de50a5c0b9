import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { writeModelFiles } from '../models/io.js';
import { exists, writeDirAtomic, writeDirRotating } from '../util/atomic.js';
import { ConvkitError } from '../util/errors.js';
import { CHECKPOINT_FORMAT, manifestOf, readVerifiedFiles, type CheckpointState } from './checkpoint-files.js';
import { CHECKPOINT_FILE_NAMES, RESUME_CHECKPOINTS } from './layout.js';

// Writing and decoding a checkpoint's tensors: the one file of run/ that loads tfjs (readers import checkpoint-files.ts).

export type NamedTensor = { name: string; tensor: tf.Tensor };

export interface LoadedCheckpoint {
  dir: string;
  state: CheckpointState;
  weights: tf.Tensor[];
  optimizerWeights: NamedTensor[];
  callbackTensors: Map<string, tf.Tensor[]>;
}

/** What a checkpoint holds: the model (topology and weights), the optimizer's and callbacks' tensors, and the rest of the state. */
export interface CheckpointContents {
  model: LayersModel;
  /** The optimizer's weights (moments, iteration count) in tfjs's `getWeights` order. */
  optimizerWeights: NamedTensor[];
  /** Tensors of the stateful callbacks, each named `stateKey/name`. */
  callbackTensors: NamedTensor[];
  state: Omit<CheckpointState, 'format' | 'created' | 'callbackTensorSpecs' | 'optimizer'> & { optimizer: Omit<CheckpointState['optimizer'], 'specs'> };
}

async function syncFile(file: string): Promise<void> {
  const fh = await fs.open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes the files of one checkpoint into `dir` (a fresh temporary folder); manifest.json last. */
async function fillCheckpoint(dir: string, c: CheckpointContents): Promise<void> {
  await writeModelFiles(c.model, dir);
  const opt = await tf.io.encodeWeights(c.optimizerWeights);
  await fs.writeFile(path.join(dir, CHECKPOINT_FILE_NAMES.optimizer), new Uint8Array(opt.data));
  const cb = await tf.io.encodeWeights(c.callbackTensors);
  await fs.writeFile(path.join(dir, CHECKPOINT_FILE_NAMES.callbacks), new Uint8Array(cb.data));
  const state: CheckpointState = {
    format: CHECKPOINT_FORMAT,
    ...c.state,
    optimizer: { className: c.state.optimizer.className, specs: opt.specs, runningProducts: c.state.optimizer.runningProducts },
    callbackTensorSpecs: cb.specs,
    created: new Date().toISOString(),
  };
  await fs.writeFile(path.join(dir, CHECKPOINT_FILE_NAMES.state), JSON.stringify(state, null, 1));
  const names = await fs.readdir(dir);
  const manifest = await manifestOf(dir, state.epoch, state.batch, names);
  for (const name of names) await syncFile(path.join(dir, name));
  const manifestFile = path.join(dir, CHECKPOINT_FILE_NAMES.manifest);
  await fs.writeFile(manifestFile, JSON.stringify(manifest, null, 1));
  await syncFile(manifestFile);
}

/**
 * Writes a checkpoint folder atomically (model.json + weights.bin, optimizer.bin, callbacks.bin, state.json,
 * manifest.json); `keepPrevious` keeps the replaced one as `<dir>.prev` (for `last`: a resume killed between the two
 * renames falls back to it).
 */
export async function writeCheckpoint(dir: string, contents: CheckpointContents, opts: { keepPrevious?: boolean } = {}): Promise<void> {
  const fill = (tmp: string) => fillCheckpoint(tmp, contents);
  if (opts.keepPrevious) await writeDirRotating(dir, fill);
  else await writeDirAtomic(dir, fill);
}

function decodeInOrder(data: Uint8Array, specs: tf.io.WeightsManifestEntry[]): NamedTensor[] {
  const buf = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const map = tf.io.decodeWeights(buf, specs);
  return specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
}

/** Reads a checkpoint and verifies every file against its manifest; throws a ConvkitError naming the bad file. */
export async function readCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const { files } = await readVerifiedFiles(dir);
  const state = JSON.parse(files.get(CHECKPOINT_FILE_NAMES.state)!.toString('utf8')) as CheckpointState;
  const modelJson = JSON.parse(files.get(CHECKPOINT_FILE_NAMES.modelJson)!.toString('utf8'));
  const weightSpecs: tf.io.WeightsManifestEntry[] = modelJson.weightsManifest.flatMap((g: { weights: tf.io.WeightsManifestEntry[] }) => g.weights);
  const weights = decodeInOrder(files.get(CHECKPOINT_FILE_NAMES.weights)!, weightSpecs).map((w) => w.tensor);
  const optimizerWeights = decodeInOrder(files.get(CHECKPOINT_FILE_NAMES.optimizer)!, state.optimizer.specs);
  const callbackTensors = new Map<string, tf.Tensor[]>();
  for (const t of decodeInOrder(files.get(CHECKPOINT_FILE_NAMES.callbacks)!, state.callbackTensorSpecs)) {
    const key = t.name.slice(0, t.name.indexOf('/'));
    if (!callbackTensors.has(key)) callbackTensors.set(key, []);
    callbackTensors.get(key)!.push(t.tensor);
  }
  return { dir, state, weights, optimizerWeights, callbackTensors };
}

/**
 * The checkpoint a resumed run starts from: `last`, or `last.prev` when `last` is missing or fails its checksums.
 * Returns null when the run wrote no checkpoint yet (it restarts from epoch 1). `checkpointsDir` is the run's `checkpoints/`.
 */
export async function findResumeCheckpoint(checkpointsDir: string, warn: (m: string) => void): Promise<LoadedCheckpoint | null> {
  const problems: string[] = [];
  let seen = 0;
  for (const name of RESUME_CHECKPOINTS) {
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
