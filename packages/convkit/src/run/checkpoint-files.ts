import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core'; // types only: this file loads no tfjs
import { ConvkitError } from '../util/errors.js';
import { exists } from '../util/atomic.js';
import { CHECKPOINT_FILE_NAMES, checkpointDir, type CheckpointName } from './layout.js';
import type { EpochLogs } from './metrics.js';

// A checkpoint folder without tensors: its format, manifest and verification (tfjs-free, for readers); writing and
// decoding the tensors is `run/checkpoint.ts`.

export const CHECKPOINT_FORMAT = 'convkit-checkpoint/1';

/** Running sums of the batches of an unfinished epoch (a mid-epoch checkpoint written on SIGINT/SIGTERM). */
export interface CheckpointProgress {
  lossSum: number;
  accSum: number;
  seen: number;
  seconds: number;
}

/** Everything besides the tensors that a resumed run needs (state.json of a checkpoint). */
export interface CheckpointState {
  format: string;
  /** Epochs fully done. */
  epoch: number;
  /** Batches of epoch `epoch + 1` already done (0 at an epoch boundary). */
  batch: number;
  /** Running sums of those batches (mid-epoch checkpoints written on SIGINT/SIGTERM). */
  progress: CheckpointProgress | null;
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

/** manifest.json: written last; lists every other file of the checkpoint with its size and SHA-256. */
export interface Manifest {
  format: string;
  epoch: number;
  batch: number;
  files: Record<string, { bytes: number; sha256: string }>;
}

export const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** The files a complete checkpoint's manifest must list. */
const REQUIRED = [CHECKPOINT_FILE_NAMES.modelJson, CHECKPOINT_FILE_NAMES.weights, CHECKPOINT_FILE_NAMES.optimizer, CHECKPOINT_FILE_NAMES.callbacks, CHECKPOINT_FILE_NAMES.state];

/** The manifest of `files` in `dir` (sizes and SHA-256 of the bytes written). */
export async function manifestOf(dir: string, epoch: number, batch: number, files: string[]): Promise<Manifest> {
  const manifest: Manifest = { format: CHECKPOINT_FORMAT, epoch, batch, files: {} };
  for (const name of [...files].sort()) {
    const data = await fs.readFile(path.join(dir, name));
    manifest.files[name] = { bytes: data.byteLength, sha256: sha256(data) };
  }
  return manifest;
}

/** Reads every file of a checkpoint and verifies it against manifest.json; a ConvkitError names the bad file. */
export async function readVerifiedFiles(dir: string): Promise<{ manifest: Manifest; files: Map<string, Buffer> }> {
  const manifestPath = path.join(dir, CHECKPOINT_FILE_NAMES.manifest);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as Manifest;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConvkitError(code === 'ENOENT' ? `checkpoint incomplete: ${CHECKPOINT_FILE_NAMES.manifest} missing` : `cannot parse ${CHECKPOINT_FILE_NAMES.manifest} (${(e as Error).message})`, { file: manifestPath });
  }
  if (manifest.format !== CHECKPOINT_FORMAT || typeof manifest.files !== 'object') throw new ConvkitError(`not a ${CHECKPOINT_FORMAT} manifest`, { file: manifestPath });
  const files = new Map<string, Buffer>();
  for (const [name, want] of Object.entries(manifest.files)) {
    const file = path.join(dir, name);
    let data: Buffer;
    try {
      data = await fs.readFile(file);
    } catch {
      throw new ConvkitError(`file listed in ${CHECKPOINT_FILE_NAMES.manifest} is missing`, { file });
    }
    if (data.byteLength !== want.bytes) throw new ConvkitError(`truncated or corrupt: ${data.byteLength} bytes, ${CHECKPOINT_FILE_NAMES.manifest} says ${want.bytes}`, { file });
    if (sha256(data) !== want.sha256) throw new ConvkitError(`corrupt: SHA-256 differs from ${CHECKPOINT_FILE_NAMES.manifest}`, { file });
    files.set(name, data);
  }
  for (const need of REQUIRED) {
    if (!files.has(need)) throw new ConvkitError(`checkpoint incomplete: ${need} not in ${CHECKPOINT_FILE_NAMES.manifest}`, { file: manifestPath });
  }
  return { manifest, files };
}

/** The verified state.json of a checkpoint (no tensors decoded). */
export async function readCheckpointState(dir: string): Promise<CheckpointState> {
  const { files } = await readVerifiedFiles(dir);
  return JSON.parse(files.get(CHECKPOINT_FILE_NAMES.state)!.toString('utf8')) as CheckpointState;
}

/** Whether the run in `runDir` has a complete checkpoint `name` (its manifest.json, written last, is there). */
export function hasCheckpoint(runDir: string, name: CheckpointName): Promise<boolean> {
  return exists(path.join(checkpointDir(runDir, name), CHECKPOINT_FILE_NAMES.manifest));
}

/** SHA-256 of a checkpoint's manifest.json: changes whenever any file of the checkpoint does (a cache key). */
export async function manifestKey(checkpointDir: string): Promise<string> {
  return sha256(await fs.readFile(path.join(checkpointDir, CHECKPOINT_FILE_NAMES.manifest)));
}
