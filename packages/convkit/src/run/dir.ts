import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ConvkitError } from '../util/errors.js';
import { isConvkitRunFolder, RUN_CONFIG_FORMAT } from './config.js';
import { RUN_ENTRIES, RUN_FILE_NAMES, runFiles } from './layout.js';
import { RUN_LOCK_FILE, type RunLock } from './lock.js';

const FINISHED_RUN = 'output directory holds a finished run (result.json exists); use --force to overwrite or another --out';

/** What `dir` holds: nothing, a finished run (result.json), an unfinished one, or files that are no run. */
export async function runDirState(dir: string): Promise<'empty' | 'finished' | 'unfinished' | 'other'> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => n !== RUN_LOCK_FILE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'empty';
    throw e;
  }
  if (names.length === 0) return 'empty';
  if (names.includes(RUN_FILE_NAMES.result)) return 'finished';
  return names.some((n) => RUN_ENTRIES.includes(n)) ? 'unfinished' : 'other';
}

/**
 * `train --out DIR` on a directory that may hold a run: an existing run, finished or not, is never written over
 * without `force`. Returns true when there is a run that `force` asks to discard (with `discardRun`).
 */
export async function checkFreshRunDir(dir: string, force: boolean): Promise<boolean> {
  const state = await runDirState(dir);
  if (state === 'finished' && !force) {
    throw new ConvkitError(FINISHED_RUN, { file: dir });
  }
  if (state === 'unfinished' && !force) {
    throw new ConvkitError('output directory holds an unfinished run (no result.json); use --resume to continue or --force to discard', { file: dir });
  }
  if ((state === 'finished' || state === 'unfinished') && !(await isConvkitRunFolder(dir))) {
    throw new ConvkitError(`holds ${state === 'finished' ? 'result.json' : 'entries named like a run\'s'} but is no convkit run (no config.json with "format": "${RUN_CONFIG_FORMAT}"); --force deletes only a run convkit wrote`, { file: dir });
  }
  return state === 'finished' || state === 'unfinished';
}

const discardedPrefix = (dir: string) => `.${path.basename(dir)}.discarded-`;

/**
 * Moves the run held by `lock` aside in one rename (the old run is whole under its name or whole aside, never half
 * deleted under its name), takes the lock again on a fresh empty directory, then deletes the old run. A kill during the
 * deletion leaves `.NAME.discarded-…` beside it, removed by the next discard of the same name.
 */
export async function discardRun(lock: RunLock, log: (m: string) => void): Promise<void> {
  const dir = path.resolve(lock.dir);
  const parent = path.dirname(dir);
  const rel = path.relative(dir, process.cwd());
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) throw new ConvkitError('cannot discard the run in the working directory (or above it): use --force from elsewhere, or another --out', { file: lock.dir });
  const aside = path.join(parent, `${discardedPrefix(dir)}${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.rename(dir, aside);
  await lock.relock(lock.dir);
  log(`convkit: --force: discarding the previous run in ${lock.dir}`);
  // We hold the lock of `dir`, so no other discard of it runs: every `.NAME.discarded-*` is a leftover.
  for (const n of await fs.readdir(parent)) {
    if (n.startsWith(discardedPrefix(dir))) await fs.rm(path.join(parent, n), { recursive: true, force: true });
  }
}

/** Whether `dir` holds a run's config.json (a run folder, finished or not, that `--resume` and `report` can read). */
export async function hasRunConfig(dir: string): Promise<boolean> {
  return fs.access(runFiles(dir).config).then(() => true, () => false);
}

/** Whether the run in `dir` finished (its result.json exists). */
export async function isFinishedRun(dir: string): Promise<boolean> {
  return fs.access(runFiles(dir).result).then(() => true, () => false);
}

/**
 * Clears what a fresh run writes (result, metrics, saved model, status, checkpoints, TensorBoard logs), keeping
 * config.json and the lock; refuses a finished run unless `force`.
 */
export async function clearRunFiles(dir: string, force: boolean): Promise<void> {
  const f = runFiles(dir);
  if ((await isFinishedRun(dir)) && !force) {
    throw new ConvkitError(FINISHED_RUN, { file: dir });
  }
  await fs.mkdir(dir, { recursive: true });
  for (const p of [f.result, f.metrics, f.model, f.status, f.checkpoints, f.tensorboard]) {
    await fs.rm(p, { recursive: true, force: true });
  }
}

/** `--resume` takes an unfinished run only: a finished one (result.json) is a ConvkitError. */
export async function checkResumable(dir: string): Promise<void> {
  if (await isFinishedRun(dir)) throw new ConvkitError('the run already completed (result.json exists); nothing to resume', { file: dir });
}
