import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { exists } from '../util/atomic.js';

/** The GTSRB folder a run's `--data` came from: `gtsrb:ROOT`, a GTSRB folder, or a prepared set's `source` attribute. */
export async function gtsrbRootOf(data: string, searchDirs: string[]): Promise<string | null> {
  if (data.startsWith('gtsrb:')) return existing(data.slice('gtsrb:'.length), searchDirs);
  const file = await existing(data, searchDirs);
  if (!file) return null;
  if (/\.(h5|hdf5)$/i.test(file)) return existing(String((await h5Source(file)) ?? ''), searchDirs);
  for (const marker of ['GTSRB', 'Final_Training', 'Train.csv']) {
    if (await exists(path.join(file, marker))) return file;
  }
  return null;
}

const sourceCache = new Map<string, { mtimeMs: number; source: string | null }>();

/** The `source` attribute `convkit prepare gtsrb` writes into each set (the GTSRB folder it read). */
async function h5Source(file: string): Promise<string | null> {
  const { mtimeMs } = await fs.stat(file);
  const hit = sourceCache.get(file);
  if (hit?.mtimeMs === mtimeMs) return hit.source;
  const { h5 } = await import('../datasets/hdf5.js');
  const h5wasm = await h5();
  let source: string | null = null;
  try {
    const f = new h5wasm.File(file, 'r');
    try {
      const v = 'source' in f.attrs ? f.attrs['source'].json_value : null;
      source = typeof v === 'string' ? v : null;
    } finally {
      f.close();
    }
  } catch {
    source = null;
  }
  sourceCache.set(file, { mtimeMs, source });
  return source;
}

/** `p` as given if absolute, else the first of `searchDirs`/p that exists (a run's --data is relative to where it ran). */
async function existing(p: string, searchDirs: string[]): Promise<string | null> {
  if (!p) return null;
  const candidates = path.isAbsolute(p) ? [p] : searchDirs.map((d) => path.resolve(d, p));
  for (const c of candidates) if (await exists(c)) return c;
  return null;
}

/** Where the dashboard writes the analysis of a GTSRB folder: under the runs folder, so it is listed and served. */
export function analysisDirFor(runsDir: string, root: string): string {
  const slug = path.basename(root).replace(/[^A-Za-z0-9_-]+/g, '-') || 'gtsrb';
  return path.join(runsDir, 'datasets', `gtsrb-${slug}-${createHash('sha256').update(root).digest('hex').slice(0, 8)}`);
}
