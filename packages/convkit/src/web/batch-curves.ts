import { promises as fs } from 'node:fs';
import path from 'node:path';
import { decodeEvent, eventFiles, readRecords } from '../train/callbacks/tfevents.js';
import { runFiles } from '../run/layout.js';

/** Running means of the epoch in progress at each batch, as `--tensorboard --tb-batches` logs them. */
export interface BatchPoint {
  /** Global step (0-based batch count since the start of training). */
  step: number;
  loss?: number;
  accuracy?: number;
}

interface Cached {
  file: string;
  offset: number;
  points: Map<number, BatchPoint>;
}
const cache = new Map<string, Cached>();

/**
 * The batch_loss / batch_accuracy scalars of a run's TensorBoard training events, read incrementally (only the bytes
 * appended since the last call); [] when the run was not trained with `--tb-batches`.
 */
export async function batchCurves(dir: string): Promise<BatchPoint[]> {
  const files = await eventFiles(path.join(runFiles(dir).tensorboard, 'train')).catch(() => [] as string[]);
  const file = files.at(-1);
  if (!file) return [];
  let c = cache.get(dir);
  if (!c || c.file !== file) {
    // a resumed run starts a new event file after trimming the old ones: read them all once
    c = { file, offset: 0, points: new Map() };
    for (const f of files.slice(0, -1)) addRecords(c.points, await fs.readFile(f));
    cache.set(dir, c);
    if (cache.size > 32) cache.delete(cache.keys().next().value!); // the oldest run looked at
  }
  const fh = await fs.open(file, 'r');
  try {
    const { size } = await fh.stat();
    if (size > c.offset) {
      const buf = Buffer.alloc(size - c.offset);
      await fh.read(buf, 0, buf.length, c.offset);
      c.offset += addRecords(c.points, buf); // a torn last record is read again next time
    }
  } finally {
    await fh.close();
  }
  return [...c.points.values()].sort((a, b) => a.step - b.step);
}

function addRecords(points: Map<number, BatchPoint>, buf: Uint8Array): number {
  const { records, validBytes } = readRecords(buf);
  for (const r of records) {
    const e = decodeEvent(r);
    for (const v of e.summary?.value ?? []) {
      if ((v.tag !== 'batch_loss' && v.tag !== 'batch_accuracy') || v.simpleValue === undefined || e.step === undefined) continue;
      const p = points.get(e.step) ?? { step: e.step };
      if (v.tag === 'batch_loss') p.loss = v.simpleValue;
      else p.accuracy = v.simpleValue;
      points.set(e.step, p);
    }
  }
  return validBytes;
}
