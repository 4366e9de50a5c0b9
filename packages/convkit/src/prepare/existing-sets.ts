import { promises as fs } from 'node:fs';
import path from 'node:path';
import { h5, hasHdf5Signature } from '../datasets/hdf5.js';
import { convkitSibling, syncDir } from '../util/atomic.js';
import { ConvkitError } from '../util/errors.js';
import type { ExclusionRecord } from './exclude.js';
import type { H5SetWriter } from './hdf5.js';

/** HDF5 root attribute holding, as JSON, what a prepared set was made from and how (a `PrepareRecord`). */
export const PREPARE_RECORD_ATTR = 'convkit_prepare';

/** Everything that decides the content of one prepared set: equal records ⇒ the same file. */
export interface PrepareRecord {
  source: string;
  layout: string;
  mode: string;
  size: number;
  seed: number;
  scale: number;
  roi: boolean;
  skipBad: boolean;
  testGt: string | null;
  /** Rows found in the source per split (after --scale): a source that grew or shrank is not the same source. */
  images: { train: number; test: number; meta: number };
  convkitVersion: string;
  /** Images left out with --exclude (absent when none: sets made before the option stay up to date). */
  exclude?: ExclusionRecord;
}

export type ExistingSet = { state: 'missing' } | { state: 'up-to-date'; counts: { train: number; test: number; meta: number } } | { state: 'different'; why: string };

/** A recorded value in one line of an error message (an exclusion list may name thousands of files). */
const shorten = (s: string) => (s.length > 100 ? `${s.slice(0, 99)}…` : s);

/** Whether `file` already holds the set `want` describes. */
export async function existingSet(file: string, want: PrepareRecord): Promise<ExistingSet> {
  const st = await fs.lstat(file).catch(() => null);
  if (!st) return { state: 'missing' };
  if (!st.isFile() || !(await hasHdf5Signature(file, file))) return { state: 'different', why: 'not an HDF5 file' };
  const lib = await h5();
  let f: InstanceType<typeof lib.File>;
  try {
    f = new lib.File(file, 'r');
    if (f.file_id < 0n) return { state: 'different', why: 'not a readable HDF5 file' };
  } catch {
    return { state: 'different', why: 'not a readable HDF5 file' };
  }
  try {
    const raw = PREPARE_RECORD_ATTR in f.attrs ? f.attrs[PREPARE_RECORD_ATTR].json_value : undefined;
    if (typeof raw !== 'string') return { state: 'different', why: 'it records no preparation parameters' };
    let have: PrepareRecord;
    try {
      have = JSON.parse(raw);
    } catch {
      return { state: 'different', why: `unreadable ${PREPARE_RECORD_ATTR} attribute` };
    }
    for (const key of Object.keys(want) as (keyof PrepareRecord)[]) {
      const a = JSON.stringify(have[key]);
      const b = JSON.stringify(want[key]);
      if (a !== b) return { state: 'different', why: `made with ${key} ${shorten(a ?? 'unset')}, not ${shorten(b ?? 'unset')}` };
    }
    const count = (split: string) => ((f.get(`y_${split}`) as { shape?: number[] } | null)?.shape ?? [0])[0];
    return { state: 'up-to-date', counts: { train: count('train'), test: count('test'), meta: count('meta') } };
  } finally {
    f.close();
  }
}

/**
 * All or nothing: every set is closed and fsynced under its temporary name first; only when all are, they replace
 * their final names, one atomic rename each. A set being replaced is kept as a hard link until all renames
 * succeeded, so an error midway puts every old set back (a kill midway may leave some sets new and some old, each whole).
 */
export async function publishAll(writers: H5SetWriter[]): Promise<void> {
  for (const w of writers) await w.seal();
  for (const w of writers) {
    const st = await fs.lstat(w.finalPath).catch(() => null);
    if (st && !st.isFile()) throw new ConvkitError('exists and is not a file; cannot replace it', { file: w.finalPath });
  }
  const done: { w: H5SetWriter; backup: string | null }[] = [];
  try {
    for (const w of writers) {
      let backup: string | null = convkitSibling(w.finalPath, 'old');
      try {
        await fs.link(w.finalPath, backup);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        backup = null;
      }
      done.push({ w, backup });
      await w.publish();
    }
  } catch (e) {
    for (const { w, backup } of done.reverse()) {
      if (backup) await fs.rename(backup, w.finalPath).catch(() => {});
      else await fs.rm(w.finalPath, { force: true });
    }
    throw e;
  }
  for (const { backup } of done) if (backup) await fs.rm(backup, { force: true });
  for (const d of new Set(writers.map((w) => path.dirname(w.finalPath)))) await syncDir(d);
}
