// `prepare --exclude FILE`: images the user chose to leave out (after `convkit audit`), read from an audit JSON's
// top-level `exclude` array or from a text list. prepare/ reads the file itself: it knows nothing of audit/.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { GtsrbSample } from '../datasets/gtsrb.js';
import { ConvkitError, readInputFile } from '../util/errors.js';

/** What a prepared set records of its exclusions (in its `convkit_prepare` record, so it is part of the set's identity). */
export interface ExclusionRecord {
  /** SHA-256 of the exclude file as read. */
  sha256: string;
  /** The images left out, relative to the GTSRB folder (the one holding Final_Training/ or Train.csv; absolute for a --test-root's), sorted. */
  files: string[];
}

interface Entry {
  path: string;
  /** 1-based line of a text list; the `exclude[i]` index of a JSON file. */
  line?: number;
  key?: string;
}

const MAX_EXCLUDE_BYTES = 64 << 20;

/**
 * The paths an exclude file lists. A JSON file (its first non-blank character `{`) must hold a top-level `exclude`
 * array of paths, the images the user chose from the audit's findings (`label_suspects`, `duplicates`, `quality` are
 * findings, never excluded by themselves); anything else is a text list: one path per line, blank lines and lines
 * starting with `#` ignored.
 */
export async function readExcludeFile(file: string): Promise<{ entries: Entry[]; sha256: string }> {
  const st = await fs.stat(file).catch(() => null);
  if (st && st.size > MAX_EXCLUDE_BYTES) throw new ConvkitError(`exclude file of ${st.size} bytes is larger than ${MAX_EXCLUDE_BYTES} (not a list of images)`, { file });
  const bytes = await readInputFile(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConvkitError('exclude file is not UTF-8 text (expected an audit JSON or one path per line)', { file });
  }
  if (text.trimStart().startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new ConvkitError(`not valid JSON (${(e as Error).message})`, { file });
    }
    const list = (json as { exclude?: unknown }).exclude;
    if (list === undefined) throw new ConvkitError('exclude: missing; an audit JSON excludes only the paths you list under a top-level "exclude" array', { file });
    if (!Array.isArray(list)) throw new ConvkitError('exclude: expected an array of image paths', { file });
    return {
      sha256,
      entries: list.map((p, i) => {
        if (typeof p !== 'string' || p.trim() === '') throw new ConvkitError(`exclude[${i}]: expected an image path, got ${JSON.stringify(p)}`, { file });
        return { path: p, key: `exclude[${i}]` };
      }),
    };
  }
  const entries: Entry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const p = raw.trim();
    if (p && !p.startsWith('#')) entries.push({ path: p, line: i + 1 });
  });
  return { entries, sha256 };
}

/** A file's identity for matching: the real path of its folder and its name (one realpath per folder, not per image). */
class RealPaths {
  private dirs = new Map<string, Promise<string | null>>();
  async of(file: string): Promise<string | null> {
    const dir = path.dirname(file);
    let real = this.dirs.get(dir);
    if (!real) this.dirs.set(dir, (real = fs.realpath(dir).catch(() => null)));
    const d = await real;
    return d === null ? null : path.join(d, path.basename(file));
  }
}

/**
 * Resolves an exclude file against a GTSRB folder's samples: `root` is the folder given to `prepare` (relative paths
 * start there), `base` the one the index found (GTSRB/ inside it, for the official layout). Each listed path must be
 * one of `samples` (matched by real path), else the error names it: a typo must not silently exclude nothing.
 */
export async function resolveExclusion(file: string, root: string, base: string, samples: GtsrbSample[]): Promise<{ record: ExclusionRecord; excluded: Set<GtsrbSample> }> {
  const { entries, sha256 } = await readExcludeFile(file);
  const real = new RealPaths();
  const byPath = new Map<string, GtsrbSample>();
  for (const s of samples) {
    const r = await real.of(s.file);
    if (r !== null) byPath.set(r, s);
  }
  const excluded = new Set<GtsrbSample>();
  for (const e of entries) {
    const r = await real.of(path.resolve(root, e.path));
    const s = r === null ? undefined : byPath.get(r);
    if (!s) throw new ConvkitError(`${e.key ? `${e.key}: ` : ''}${e.path} is not an image of ${root} (paths are relative to it, or absolute)`, { file, line: e.line });
    excluded.add(s);
  }
  const shown = (f: string) => {
    const rel = path.relative(base, f);
    return rel.startsWith('..') ? path.resolve(f) : rel.split(path.sep).join('/'); // a --test-root image: absolute
  };
  const files = [...excluded].map((s) => shown(s.file)).sort();
  return { record: { sha256, files }, excluded };
}
