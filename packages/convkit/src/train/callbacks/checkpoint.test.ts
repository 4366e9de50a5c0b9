import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadDataset } from '../../datasets/index.js';
import { pixelsPerImage, selectSplit, type ImageSplit } from '../../datasets/types.js';
import { seedGlobalRandom } from '../../util/rng.js';
import { selectBackend } from '../backend.js';
import { fit } from '../loop.js';
import type { Callback, EpochLogs } from './callback.js';
import { findResumeCheckpoint, readCheckpoint } from '../../run/checkpoint.js';
import { ModelCheckpoint, restoreCheckpoint } from './checkpoint.js';

// Real MNIST images, a dense net WITH dropout and Adam: the three things an exact resume must restore
// (data order, the random stream dropout draws from, optimizer moments and step).
let train: ImageSplit;
let validation: ImageSplit;
const shape = { height: 28, width: 28, channels: 1, numClasses: 10 };
const EPOCHS = 3;
const BATCH = 16;

function build(): tfl.LayersModel {
  seedGlobalRandom(7);
  const m = tfl.sequential();
  m.add(tfl.layers.flatten({ inputShape: [28, 28, 1] }));
  m.add(tfl.layers.dense({ units: 32, activation: 'relu' }));
  m.add(tfl.layers.dropout({ rate: 0.5 }));
  m.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

const metricsOf = (h: EpochLogs[]) => h.map((l) => [l.epoch, l.loss, l.accuracy, l.val_loss, l.val_accuracy, l.lr]);
const weightsOf = (m: tfl.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
const tmp = () => fs.mkdtemp(path.join(os.tmpdir(), 'convkit-ckpt-'));

/** Stops training like a signal would: at epoch `epoch`, after batch `batch` (or at the epoch's end when batch is undefined). */
function stopAt(epoch: number, batch?: number): Callback {
  return {
    onBatchEnd(e, logs, ctx) {
      if (batch !== undefined && e === epoch && logs.batch + 1 === batch) {
        ctx.stopTraining = true;
        ctx.interrupted = 'SIGINT';
      }
    },
    onEpochEnd(e, _logs, ctx) {
      if (batch === undefined && e === epoch) ctx.stopTraining = true;
    },
  };
}

async function run(dir: string, extra: Callback[], resume = false) {
  const model = build();
  const checkpoint = new ModelCheckpoint({ dir, model, saveEvery: 2 });
  let start = { epoch: 0, batch: 0, progress: undefined as undefined | { lossSum: number; accSum: number; seen: number; seconds: number } };
  if (resume) {
    seedGlobalRandom(12345); // a different stream: the checkpoint must put the right one back
    const ck = await findResumeCheckpoint(dir, () => {});
    assert.ok(ck);
    await restoreCheckpoint(model, ck, [checkpoint]);
    start = { epoch: ck.state.epoch, batch: ck.state.batch, progress: ck.state.progress ?? undefined };
  }
  const r = await fit({ model, train, validation, shape, epochs: EPOCHS, batchSize: BATCH, seed: 3, initialEpoch: start.epoch, initialBatch: start.batch, initialProgress: start.progress, callbacks: [checkpoint, ...extra] });
  return { model, history: r.history };
}

let reference: { history: EpochLogs[]; weights: number[][] };
let referenceDir: string;

before(async () => {
  await selectBackend('cpu', () => {});
  const ds = await loadDataset('mnist:embedded', { seed: 1 });
  const px = pixelsPerImage(ds);
  train = selectSplit(ds.train, Array.from({ length: 100 }, (_, i) => i), px);
  validation = selectSplit(ds.test, Array.from({ length: 60 }, (_, i) => i), px);
  referenceDir = await tmp();
  const r = await run(referenceDir, []);
  reference = { history: r.history, weights: weightsOf(r.model) };
  r.model.dispose();
});

test('resuming from an epoch-end checkpoint gives bit-identical metrics and weights (dropout + shuffle + Adam)', async () => {
  const dir = await tmp();
  const a = await run(dir, [stopAt(1)]);
  assert.equal(a.history.length, 1);
  a.model.dispose();
  const b = await run(dir, [], true);
  assert.deepEqual(metricsOf(b.history), metricsOf(reference.history.slice(1)));
  assert.deepEqual(weightsOf(b.model), reference.weights);
  b.model.dispose();
});

test('resuming from a mid-epoch checkpoint (SIGINT) finishes that epoch with the same metrics', async () => {
  const dir = await tmp();
  const a = await run(dir, [stopAt(2, 3)]);
  assert.equal(a.history.length, 1);
  a.model.dispose();
  const st = (await readCheckpoint(path.join(dir, 'last'))).state;
  assert.equal(st.epoch, 1);
  assert.equal(st.batch, 3);
  const b = await run(dir, [], true);
  assert.deepEqual(metricsOf(b.history), metricsOf(reference.history.slice(1)));
  assert.deepEqual(weightsOf(b.model), reference.weights);
  b.model.dispose();
});

test('best/ holds the epoch with the best val_accuracy; epoch-NNN every N epochs', async () => {
  const h = reference.history;
  const bestEpoch = h.reduce((b, l) => (l.val_accuracy! > b.val_accuracy! ? l : b)).epoch;
  const best = await readCheckpoint(path.join(referenceDir, 'best'));
  assert.equal(best.state.epoch, bestEpoch);
  assert.deepEqual(best.state.logs, h[bestEpoch - 1]);
  const names = (await fs.readdir(referenceDir)).sort();
  assert.deepEqual(names.filter((n) => n.startsWith('epoch-')), ['epoch-002']);
  assert.ok(names.includes('last') && names.includes('last.prev'));
  assert.equal((await readCheckpoint(path.join(referenceDir, 'last'))).state.epoch, EPOCHS);
  assert.equal((await readCheckpoint(path.join(referenceDir, 'last.prev'))).state.epoch, EPOCHS - 1);
});

test('a corrupt last checkpoint is detected and the run falls back to last.prev', async () => {
  const dir = await tmp();
  await fs.cp(referenceDir, dir, { recursive: true });
  const opt = path.join(dir, 'last', 'optimizer.bin');
  const bytes = await fs.readFile(opt);
  bytes[bytes.length >> 1] ^= 0xff; // same size, different content: only the checksum can tell
  await fs.writeFile(opt, bytes);
  const warnings: string[] = [];
  const ck = await findResumeCheckpoint(dir, (m) => warnings.push(m));
  assert.equal(ck?.state.epoch, EPOCHS - 1);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /last is unusable: .*optimizer\.bin: corrupt: SHA-256 differs/);
  assert.match(warnings[0], /falling back to .*last\.prev \(epoch 2\)/);

  await fs.truncate(path.join(dir, 'last.prev', 'weights.bin'), 100);
  await assert.rejects(findResumeCheckpoint(dir, () => {}), /no usable checkpoint .*weights\.bin: truncated or corrupt: 100 bytes/);
});

test('a checkpoint whose manifest was never written (killed mid-write) is not used', async () => {
  const dir = await tmp();
  await fs.cp(referenceDir, dir, { recursive: true });
  await fs.rm(path.join(dir, 'last', 'manifest.json'));
  const warnings: string[] = [];
  const ck = await findResumeCheckpoint(dir, (m) => warnings.push(m));
  assert.equal(ck?.state.epoch, EPOCHS - 1);
  assert.match(warnings[0], /manifest\.json missing/);
  assert.equal(await findResumeCheckpoint(path.join(dir, 'nothing-here'), () => {}), null);
});
