import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../backend.js';
import * as tfl from '@tensorflow/tfjs-layers';
import type { EpochLogs, TrainingContext } from './callback.js';
import { TensorBoard, trimTensorBoard } from './tensorboard.js';
import { eventFiles } from './tfevents.js';
import { requirePython, skipWithoutPython } from '../../../test-support/python.js';

await selectBackend('cpu'); // tfjs needs a backend to run ops; explicit, as importing convkit sets none

const here = path.dirname(fileURLToPath(import.meta.url));
const READER = path.join(here, 'tfevents-reader.py');
// Debian's python3 carries python3-crcmod; a pyenv python earlier on PATH may not.
const SKIP = skipWithoutPython('crcmod');

export interface ReadEvent {
  wall_time: number;
  step?: number;
  file_version?: string;
  values?: { tag: string; simple_value?: number; histo?: { num: number; bucket: number[] } }[];
}

/** Reads event files with the independent Python reader (crcmod CRC-32C + hand-decoded protobuf); fails on any bad CRC. */
export function readWithPython(files: string[]): { file: string; records: number; events: ReadEvent[] }[] {
  return JSON.parse(execFileSync(requirePython('crcmod'), [READER, ...files], { encoding: 'utf8' }));
}

/** tag → [step, value] of the scalar events of one file. */
export function scalars(events: ReadEvent[]): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  for (const e of events) {
    for (const v of e.values ?? []) {
      if (v.simple_value === undefined) continue;
      if (!out.has(v.tag)) out.set(v.tag, []);
      out.get(v.tag)!.push([e.step ?? 0, v.simple_value]);
    }
  }
  return out;
}

const logs = (epoch: number): EpochLogs => ({ epoch, loss: 1 / epoch, accuracy: 0.2 * epoch, val_loss: 1.5 / epoch, val_accuracy: 0.15 * epoch, lr: 0.001, seconds: 1, images_per_s: 10 });

test('event files: valid CRCs for an independent reader, brain.Event:2 first, one point per epoch with Keras tags', { skip: SKIP }, async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-tb-'));
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 3, inputShape: [4] }));
  const tb = new TensorBoard({ logDir: dir, model, batches: true, histograms: true });
  const ctx: TrainingContext = { epochs: 3, stepsPerEpoch: 2, trainCount: 4, batchSize: 2, stopTraining: false };
  tb.onTrainBegin();
  for (let e = 1; e <= 3; e++) {
    for (let b = 0; b < 2; b++) {
      ctx.epochProgress = { epoch: e, batch: b + 1, lossSum: 2 * (b + 1), accSum: b + 1, seen: 2 * (b + 1), seconds: 0 };
      tb.onBatchEnd(e, { batch: b, size: 2, loss: 1, accuracy: 0.5 }, ctx);
    }
    tb.onEpochEnd(e, logs(e));
  }
  tb.onTrainEnd();

  const trainFiles = await eventFiles(path.join(dir, 'train'));
  const valFiles = await eventFiles(path.join(dir, 'validation'));
  assert.equal(trainFiles.length, 1);
  assert.match(path.basename(trainFiles[0]), new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${os.hostname().replace(/[.]/g, '\\.')}\\.${process.pid}\\.v2$`));
  const [train] = readWithPython(trainFiles);
  const [val] = readWithPython(valFiles);
  assert.equal(train.events[0].file_version, 'brain.Event:2');
  assert.equal(val.events[0].file_version, 'brain.Event:2');
  const t = scalars(train.events);
  const v = scalars(val.events);
  assert.deepEqual(t.get('epoch_loss'), [1, 2, 3].map((e) => [e - 1, Math.fround(logs(e).loss)]));
  assert.deepEqual(t.get('epoch_accuracy'), [1, 2, 3].map((e) => [e - 1, Math.fround(logs(e).accuracy)]));
  assert.deepEqual(v.get('epoch_loss'), [1, 2, 3].map((e) => [e - 1, Math.fround(logs(e).val_loss!)]));
  assert.deepEqual(v.get('epoch_accuracy'), [1, 2, 3].map((e) => [e - 1, Math.fround(logs(e).val_accuracy!)]));
  assert.deepEqual(t.get('batch_loss')!.map(([s]) => s), [0, 1, 2, 3, 4, 5]);
  const histos = train.events.flatMap((e) => (e.values ?? []).filter((x) => x.histo).map((x) => [e.step, x.tag, x.histo!.num]));
  assert.equal(histos.length, 3 * model.weights.length);
  assert.ok(histos.every(([, , num]) => num === 12 || num === 3));

  // A resume from the end of epoch 2 keeps steps 0–1 (and the batches of those epochs) only.
  await trimTensorBoard(dir, 2, 0, 2);
  const [train2] = readWithPython(trainFiles);
  const t2 = scalars(train2.events);
  assert.deepEqual(t2.get('epoch_loss')!.map(([s]) => s), [0, 1]);
  assert.deepEqual(t2.get('batch_loss')!.map(([s]) => s), [0, 1, 2, 3]);
  assert.equal(train2.events[0].file_version, 'brain.Event:2');
});

test('the Python reader rejects a file with a bad CRC (so the test above can fail)', { skip: SKIP }, async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-tb-'));
  const tb = new TensorBoard({ logDir: dir, model: tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [1] })] }) });
  tb.onTrainBegin();
  tb.onEpochEnd(1, logs(1));
  tb.onTrainEnd();
  const [file] = await eventFiles(path.join(dir, 'train'));
  const bytes = await fs.readFile(file);
  bytes[bytes.length - 6] ^= 0x10;
  await fs.writeFile(file, bytes);
  const r = spawnSync(requirePython('crcmod'), [READER, file], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad data CRC/);
  assert.ok(existsSync(file));
});
