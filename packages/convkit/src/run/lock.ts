import { randomBytes } from 'node:crypto';
import { closeSync, promises as fs, openSync, readFileSync, readlinkSync, realpathSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pidAlive } from '../util/atomic.js';
import { isProcessPid, processStartTicks, startedAfter } from '../util/proc.js';
import { readConfigFile } from '../util/config-file.js';
import { ConvkitError } from '../util/errors.js';
import { RUN_FILE_NAMES } from './layout.js';
import { readRunStatus, REMOTE_STATUS_SILENCE_MS } from './status.js';

// Hand-written: Node has no flock; an O_EXCL file naming pid and host lets a second writer say who holds the run.

/** Name of the lock file inside a run directory. */
export const RUN_LOCK_FILE = RUN_FILE_NAMES.lock;

/** What a lock file holds: who writes the run, since when. */
export interface RunLockInfo {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  started: string;
  /** What the holder is doing ("train", "train --resume", a batch job id, …), for the message a second writer sees. */
  purpose?: string;
  /** Random token: tells this lock apart from a later one by a recycled pid. */
  token: string;
  /** The run folder's real path when the lock was taken (a copied folder's lock names the original). */
  dir?: string;
  /** The writer's start time in clock ticks since boot (field 22 of /proc/PID/stat): a recycled pid has another. */
  startTicks?: number;
  /** `SLURM_JOB_ID` of the writer under Slurm: the same job requeued on another node takes the lock over. */
  slurmJobId?: string;
}

export interface AcquireRunLockOptions {
  /** Shown to a second writer ("held by pid 123 on host (train)"). */
  purpose?: string;
  /** Create the directory if missing (default true); false: a missing directory is a ConvkitError. */
  create?: boolean;
  /** Where the "taking over a stale lock" message goes (default stderr). */
  log?: (msg: string) => void;
  /** The lock file's name inside the directory (default `run.lock`; a batch directory uses its own). */
  lockFile?: string;
  /** What the directory is, in the refusal ("run is locked by …; one writer per run"). */
  subject?: string;
}

/**
 * Whether the writer named by a lock still runs: `alive`, `dead` (this host: gone, or its pid now names a process
 * started at another time) or `unknown` (another host). A lock of another host that carries our own `SLURM_JOB_ID`
 * is `dead`: this process is that Slurm job, requeued onto another node, and the earlier attempt has ended.
 */
export function lockHolderState(info: RunLockInfo): 'alive' | 'dead' | 'unknown' {
  if (!isProcessPid(info.pid)) return 'dead';
  if (info.host !== os.hostname()) {
    const job = process.env.SLURM_JOB_ID;
    return info.slurmJobId && job && info.slurmJobId === job ? 'dead' : 'unknown';
  }
  if (!pidAlive(info.pid)) return 'dead';
  const ticks = processStartTicks(info.pid);
  if (ticks !== null && typeof info.startTicks === 'number') return ticks === info.startTicks ? 'alive' : 'dead';
  // A lock without startTicks (written before 2026-12-04): the process under that pid started after the lock was written.
  return startedAfter(info.pid, info.started) ? 'dead' : 'alive';
}

/** The lock file of `dir`, or null if the run has no writer (or the file is unreadable garbage). */
export async function readRunLock(dir: string, lockFile: string = RUN_LOCK_FILE): Promise<RunLockInfo | null> {
  try {
    const info = JSON.parse(await fs.readFile(path.join(dir, lockFile), 'utf8')) as RunLockInfo;
    return typeof info.pid === 'number' && typeof info.host === 'string' ? info : null;
  } catch {
    return null;
  }
}

/**
 * How long a lock of another host counts as live without news: the run's status.json (rewritten at least at every
 * epoch end and every few seconds while batches run) or, before the first status, the lock itself must be younger.
 */
export const REMOTE_WRITER_SILENCE_MS = REMOTE_STATUS_SILENCE_MS;

/**
 * The live writer of `dir` (for a batch runner's "is it still going?"), or null when nobody holds its lock or the
 * holder is gone: dead or recycled pid on this host; on another host, silent for REMOTE_WRITER_SILENCE_MS.
 */
export async function runWriter(dir: string): Promise<RunLockInfo | null> {
  const info = await readRunLock(dir);
  if (!info) return null;
  const state = lockHolderState(info);
  if (state === 'dead') return null;
  if (state === 'unknown') {
    const status = await readRunStatus(dir);
    const news = [Date.parse(info.started), status && status.pid === info.pid && status.host === info.host ? Date.parse(status.updated) : NaN].filter(Number.isFinite);
    if (!news.length || Date.now() - Math.max(...news) > REMOTE_WRITER_SILENCE_MS) return null;
  }
  return info;
}

/**
 * Why the process a lock names is not the writer of `dir` that Stop may signal, or null when it is: a pid above 1
 * that is not this process, the run folder's real path recorded in the lock, the same start time (field 22 of
 * /proc/PID/stat) and a command line that is `convkit train` of this folder (by real path: `--out`/`--resume`, or
 * `out` in its `--config` file). A lock copied with its run, forged, or left to a recycled pid fails one of these.
 */
export async function notTheWriter(dir: string, info: RunLockInfo): Promise<string | null> {
  if (!isProcessPid(info.pid) || info.pid === process.pid) return `the lock names pid ${info.pid}, which is no training process`;
  const real = await fs.realpath(dir);
  if (info.dir !== real) return `the lock was taken for ${info.dir ?? 'an unnamed folder'}, not for this folder (a copied run?)`;
  const ticks = processStartTicks(info.pid);
  if (ticks === null || ticks !== info.startTicks) return `pid ${info.pid} is not the process that took the lock`;
  let argv: string[];
  let cwd: string;
  try {
    argv = readFileSync(`/proc/${info.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    cwd = readlinkSync(`/proc/${info.pid}/cwd`);
  } catch {
    return `cannot read the command line of pid ${info.pid}`;
  }
  return (await isTrainOf(argv, cwd, real)) ? null : `pid ${info.pid} is not \`convkit train\` of this folder`;
}

/** Whether `argv` (of a process working in `cwd`) is a `convkit train` writing the folder whose real path is `real`. */
async function isTrainOf(argv: string[], cwd: string, real: string): Promise<boolean> {
  const at = argv.indexOf('train');
  if (at < 1 || !argv.slice(0, at).some((a) => /convkit/.test(a))) return false;
  const same = async (p: string | undefined) => typeof p === 'string' && p !== '' && (await fs.realpath(path.resolve(cwd, p)).catch(() => null)) === real;
  const rest = argv.slice(at + 1);
  const values = new Map<string, string>();
  rest.forEach((a, i) => {
    const eq = /^(--[a-z-]+)=(.*)$/.exec(a);
    if (eq) values.set(eq[1], eq[2]);
    else if (a.startsWith('--') && i + 1 < rest.length) values.set(a, rest[i + 1]);
  });
  if ((await same(values.get('--out'))) || (await same(values.get('--resume')))) return true;
  const configFile = values.get('--config');
  if (!configFile || values.has('--out')) return false;
  try {
    // read as `convkit train --config` reads it
    const doc = (await readConfigFile(path.resolve(cwd, configFile))).data as { train?: { out?: string }; out?: string } | null;
    return await same(doc?.train?.out ?? doc?.out);
  } catch {
    return false;
  }
}

/**
 * Asks the writer of `dir` to stop (the dashboard's Stop): SIGINT by default, on which training saves
 * `checkpoints/last` after the current batch and exits 130, releasing its lock. Returns the writer it signalled;
 * a ConvkitError when the run has no live writer, its writer runs on another host, or the process the lock names is
 * not that run's `convkit train` (notTheWriter): then nobody is signalled.
 */
export async function signalRunWriter(dir: string, signal: NodeJS.Signals = 'SIGINT'): Promise<RunLockInfo> {
  const info = await runWriter(dir);
  if (!info) throw new ConvkitError('no process is writing this run', { file: dir });
  if (info.host !== os.hostname()) throw new ConvkitError(`the run is written by pid ${info.pid} on ${info.host}, not on this host`, { file: dir });
  const why = await notTheWriter(dir, info);
  if (why) throw new ConvkitError(`not stopping: ${why}`, { file: dir });
  process.kill(info.pid, signal);
  return info;
}

function describe(info: RunLockInfo): string {
  return `pid ${info.pid} on ${info.host}${info.purpose ? ` (${info.purpose})` : ''} since ${info.started}`;
}

const held = new Set<RunLock>();
let exitHookInstalled = false;

// Released on every exit path: 'exit' covers normal ends, process.exit (a second Ctrl-C) and uncaught errors;
// a SIGINT/SIGTERM nobody else handles would kill the process without 'exit', so it is turned into one.
function installExitHooks(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const l of [...held]) l.releaseSync();
  });
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(sig, () => {
      // Someone else (training's StopOnSignal) handles it: they stop cleanly and the lock goes in their finally.
      if (process.listenerCount(sig) > 1) return;
      if (held.size === 0) {
        process.removeAllListeners(sig);
        process.kill(process.pid, sig); // back to the default action
        return;
      }
      process.exit(code);
    });
  }
}

/** An exclusive claim on a run directory, held until `release()` (or the process ends). */
export class RunLock {
  private released = false;

  constructor(
    /** The run directory. */
    public dir: string,
    readonly info: RunLockInfo,
    /** The directory did not exist and was created for this lock (removed again on release if still empty). */
    private createdDir: boolean,
    /** The lock file's name inside `dir`. */
    readonly lockFile: string = RUN_LOCK_FILE,
  ) {}

  get file(): string {
    return path.join(this.dir, this.lockFile);
  }

  /** Removes the lock file if it is still ours (idempotent). */
  async release(): Promise<void> {
    this.releaseSync();
  }

  releaseSync(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    try {
      const now = JSON.parse(readFileSync(this.file, 'utf8')) as RunLockInfo;
      if (now.token !== this.info.token) return; // taken over (we were thought dead): not ours to remove
      unlinkSync(this.file);
    } catch {
      return;
    }
    if (this.createdDir) {
      try {
        rmdirSync(this.dir); // only if empty: a run that failed before writing anything leaves no trace
      } catch {
        /* not empty: a run */
      }
    }
  }

  /**
   * Re-takes the lock in `dir` after the locked directory was renamed away (`train --force` moves the old run
   * aside whole, then starts afresh under the same name). Fails like `acquireRunLock` if another writer got in between.
   */
  async relock(dir: string = this.dir): Promise<void> {
    await fs.mkdir(dir, { recursive: true });
    try {
      createLockFile(path.join(dir, this.lockFile), this.info);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      this.releaseSync();
      const other = await readRunLock(dir, this.lockFile);
      throw new ConvkitError(`another writer took the directory meanwhile${other ? ` (${describe(other)})` : ''}`, { file: dir });
    }
    this.dir = dir;
  }
}

function createLockFile(file: string, info: RunLockInfo): void {
  // O_EXCL: of two processes creating it at once, exactly one succeeds.
  const fd = openSync(file, 'wx');
  try {
    writeSync(fd, JSON.stringify(info) + '\n');
  } finally {
    closeSync(fd);
  }
}

/**
 * Takes the one-writer lock of a run directory (`DIR/run.lock`, created with O_EXCL, holding pid, host, start time).
 * A lock left by a dead process on this host is taken over with a message; a live one (or one from another host)
 * is a ConvkitError naming its pid and host (exit 2).
 */
export async function acquireRunLock(dir: string, opts: AcquireRunLockOptions = {}): Promise<RunLock> {
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  let createdDir = false;
  try {
    const st = await fs.stat(dir);
    if (!st.isDirectory()) throw new ConvkitError('not a directory', { file: dir });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    if (opts.create === false) throw new ConvkitError('no such run directory', { file: dir });
    createdDir = (await fs.mkdir(dir, { recursive: true })) !== undefined;
  }
  const info: RunLockInfo = {
    pid: process.pid,
    host: os.hostname(),
    started: new Date().toISOString(),
    purpose: opts.purpose,
    token: randomBytes(8).toString('hex'),
    dir: realpathSync(dir),
    startTicks: processStartTicks(process.pid) ?? undefined,
    slurmJobId: process.env.SLURM_JOB_ID || undefined,
  };
  const lockFile = opts.lockFile ?? RUN_LOCK_FILE;
  const subject = opts.subject ?? 'run';
  const file = path.join(dir, lockFile);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      createLockFile(file, info);
      const lock = new RunLock(dir, info, createdDir, lockFile);
      held.add(lock);
      installExitHooks();
      return lock;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const other = await readRunLock(dir, lockFile);
    if (!other) {
      // Unreadable: a writer between its O_EXCL create and its write (a few µs), or garbage from a crash then.
      const st = await fs.stat(file).catch(() => null);
      if (st && Date.now() - st.mtimeMs < 2000) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      if (st) await takeOver(file, null, log);
      continue;
    }
    const state = lockHolderState(other);
    if (state !== 'dead') {
      throw new ConvkitError(`${subject} is locked by ${describe(other)}${state === 'unknown' ? ' (another host: cannot tell whether it still runs; remove ' + lockFile + ' by hand if it does not)' : ''}; one writer per ${subject}`, { file: dir });
    }
    await takeOver(file, other, log);
  }
  throw new ConvkitError('could not take the run lock (it keeps changing hands)', { file: dir });
}

/**
 * Removes a stale lock. Two processes may both see it stale: each renames it to a private name first, so only
 * one gets the file; if what it got is not the stale lock it judged (someone already took over), it puts it back.
 */
async function takeOver(file: string, stale: RunLockInfo | null, log: (m: string) => void): Promise<void> {
  const mine = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.rename(file, mine);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else removed it: retry creating
    throw e;
  }
  let got: RunLockInfo | null = null;
  try {
    got = JSON.parse(await fs.readFile(mine, 'utf8'));
  } catch {
    /* garbage */
  }
  if (stale && got && got.token !== stale.token) {
    // Not the stale lock but a live one created since: give it back (link fails if yet another appeared; then that one stands).
    await fs.link(mine, file).catch(() => {});
    await fs.rm(mine, { force: true });
    return;
  }
  await fs.rm(mine, { force: true });
  log(
    stale
      ? `convkit: taking over the lock of ${path.dirname(file)}: its writer (${describe(stale)}) is gone`
      : `convkit: taking over the unreadable lock file ${file}`,
  );
}

/** Runs `fn` holding the lock of `dir`; releases it however `fn` ends. */
export async function withRunLock<T>(dir: string, fn: (lock: RunLock) => Promise<T>, opts: AcquireRunLockOptions = {}): Promise<T> {
  const lock = await acquireRunLock(dir, opts);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}
