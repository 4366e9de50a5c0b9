import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { RUN_FILE_NAMES } from '../run/layout.js';
import { writeFileAtomic } from '../util/atomic.js';
import { ConvkitError } from '../util/errors.js';
import type { ConvkitCommand } from './command.js';
import type { SlurmOptions } from './config.js';
import type { Job } from './plan.js';
import { freshArgs } from './job-config.js';
import { STOP_SIGNALS } from './local.js';

const run = promisify(execFile);

// Hand-written: no maintained npm library drives sbatch/squeue; the glue is three commands and one script.
/** A word for bash: single-quoted, with `'` written as `'\''`. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Paths that go on `#SBATCH` lines, which sbatch reads without a shell: no spaces, quotes or `%`. */
const SBATCH_PATH = /^[A-Za-z0-9_./+@,:=-]+$/;

export interface SlurmPaths {
  out: string;
  logDir: string;
  /** Where each task writes its `<array job>_<task>` id, as `<job id>.job`. */
  idDir: string;
}

export function slurmPaths(out: string): SlurmPaths {
  return { out, logDir: path.join(out, 'logs'), idDir: path.join(out, 'slurm') };
}

/**
 * The sbatch script: one array task per job. A task whose run directory holds a run config continues it with
 * `convkit train --resume` (a requeued or cancelled task loses nothing), otherwise it starts it from the job's config
 * file (job-config.ts). Every value from the config reaches the script validated (config.ts) and quoted here.
 */
export function sbatchScript(name: string, jobs: Job[], slurm: SlurmOptions, command: ConvkitCommand, p: SlurmPaths): string {
  if (!SBATCH_PATH.test(p.logDir)) throw new ConvkitError(`the batch directory ${p.out} has characters Slurm's #SBATCH lines cannot hold (spaces, quotes, %); choose another out`);
  const lines = [
    '#!/bin/bash',
    `# Written by convkit batch run --executor slurm for batch ${name}: ${jobs.length} job(s).`,
    `#SBATCH --job-name=${name}`,
    `#SBATCH --array=0-${jobs.length - 1}${slurm.maxRunning ? `%${slurm.maxRunning}` : ''}`,
    `#SBATCH --cpus-per-task=${slurm.cpusPerTask ?? 1}`,
    `#SBATCH --output=${p.logDir}/slurm-%A_%a.out`,
    '#SBATCH --open-mode=append',
    '#SBATCH --requeue',
  ];
  if (slurm.time) lines.push(`#SBATCH --time=${slurm.time}`);
  if (slurm.mem) lines.push(`#SBATCH --mem=${slurm.mem}`);
  if (slurm.partition) lines.push(`#SBATCH --partition=${slurm.partition}`);
  if (slurm.account) lines.push(`#SBATCH --account=${slurm.account}`);
  for (const e of slurm.extra) lines.push(`#SBATCH ${e}`);
  lines.push('set -u', 'case "$SLURM_ARRAY_TASK_ID" in');
  jobs.forEach((job, i) => {
    lines.push(`  ${i}) ID=${shellQuote(job.id)}; RUN=${shellQuote(job.runDir)}; FRESH=(${freshArgs(p.out, job).map(shellQuote).join(' ')}) ;;`);
  });
  lines.push(
    '  *) echo "convkit: error: no job for array task $SLURM_ARRAY_TASK_ID" >&2; exit 2 ;;',
    'esac',
    `mkdir -p ${shellQuote(p.idDir)}`,
    `printf '%s_%s\\n' "$SLURM_ARRAY_JOB_ID" "$SLURM_ARRAY_TASK_ID" > ${shellQuote(p.idDir)}/"$ID.job"`,
    'export CONVKIT_THREADS="${SLURM_CPUS_PER_TASK:-1}"',
    `if [ -f "$RUN/${RUN_FILE_NAMES.result}" ]; then exit 0; fi`,
    `if [ -f "$RUN/${RUN_FILE_NAMES.config}" ]; then set -- train --resume "$RUN" --progress lines`,
    'elif [ -e "$RUN" ]; then set -- "${FRESH[@]}" --force',
    'else set -- "${FRESH[@]}"; fi',
    `exec ${[command.node, ...command.args].map(shellQuote).join(' ')} "$@"`,
    '',
  );
  return lines.join('\n');
}

async function slurmCommand(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { encoding: 'utf8' });
    return stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new ConvkitError(`${cmd} not found: the slurm executor needs the Slurm client commands (sbatch, squeue, scancel) on PATH`);
    throw new ConvkitError(`${cmd} failed: ${(err.stderr ?? err.message).trim().split('\n')[0]}`);
  }
}

export async function submit(scriptFile: string): Promise<string> {
  const out = await slurmCommand('sbatch', ['--parsable', scriptFile]);
  const id = out.trim().split(';')[0];
  if (!/^\d+$/.test(id)) throw new ConvkitError(`sbatch printed no job id (${out.trim()})`);
  return id;
}

/** Array task index → Slurm state, for the tasks still known to the scheduler. */
export async function queuedTasks(arrayId: string): Promise<Map<number, string>> {
  const out = await slurmCommand('squeue', ['-h', '-r', '-j', arrayId, '-o', '%i|%T']).catch((e) => {
    // squeue refuses a job id the controller has already forgotten.
    if (/Invalid job id/i.test((e as Error).message)) return '';
    throw e;
  });
  const tasks = new Map<number, string>();
  for (const line of out.split('\n')) {
    const m = /^(\d+)_(\d+)\|(\S+)/.exec(line.trim());
    if (m && m[1] === arrayId) tasks.set(Number(m[2]), m[3]);
  }
  return tasks;
}

export async function cancel(arrayId: string): Promise<void> {
  await slurmCommand('scancel', [arrayId]);
}

export async function readSlurmJobId(p: SlurmPaths, job: Job): Promise<string | null> {
  try {
    return (await fs.readFile(path.join(p.idDir, `${job.id}.job`), 'utf8')).trim() || null;
  } catch {
    return null;
  }
}

export interface SlurmRunOptions {
  name: string;
  slurm: SlurmOptions;
  command: ConvkitCommand;
  paths: SlurmPaths;
  pollMs?: number;
  log(msg: string): void;
  onSubmitted?(arrayId: string, scriptFile: string): void;
  /** Called once per job when its task has left the queue (finished, failed or cancelled). */
  onTaskGone(job: Job, slurmJobId: string): Promise<void>;
}

/** Where the batch folder records the Slurm array it submitted last: its id and its jobs in task order. */
const arrayFile = (p: SlurmPaths) => path.join(p.idDir, 'array.json');

/**
 * The array an earlier `batch run` submitted, if Slurm still has some of its tasks (queued or running): a rerun
 * follows those tasks (`queued`) instead of submitting their jobs again. Null when there is none, or the config's jobs changed.
 */
export async function liveArray(p: SlurmPaths, jobs: Job[], log: (m: string) => void): Promise<{ arrayId: string; jobs: Job[]; queued: Job[] } | null> {
  let rec: { arrayId?: unknown; jobs?: unknown };
  try {
    rec = JSON.parse(await fs.readFile(arrayFile(p), 'utf8'));
  } catch {
    return null;
  }
  if (typeof rec.arrayId !== 'string' || !/^\d+$/.test(rec.arrayId) || !Array.isArray(rec.jobs)) return null;
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const arrayJobs = rec.jobs.map((id) => byId.get(String(id)));
  if (arrayJobs.some((j) => !j)) return null;
  const queued = await queuedTasks(rec.arrayId);
  if (queued.size === 0) return null;
  log(`convkit batch: Slurm job array ${rec.arrayId} of an earlier batch run is still queued or running; following it instead of submitting again`);
  return { arrayId: rec.arrayId, jobs: arrayJobs as Job[], queued: (arrayJobs as Job[]).filter((_, i) => queued.has(i)) };
}

/**
 * The Slurm executor: one sbatch job array (recorded in the batch folder's slurm/array.json), followed with squeue
 * until every task has left the queue. SIGINT/SIGTERM/SIGHUP cancels the array (Slurm sends SIGTERM to running
 * tasks: they checkpoint and stop).
 */
export async function runSlurm(jobs: Job[], o: SlurmRunOptions): Promise<{ interrupted: NodeJS.Signals | null; arrayId: string }> {
  await fs.mkdir(o.paths.logDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const scriptFile = path.join(o.paths.idDir, `${o.name}-${stamp}.sbatch`);
  await writeFileAtomic(scriptFile, sbatchScript(o.name, jobs, o.slurm, o.command, o.paths));
  const arrayId = await submit(scriptFile);
  await writeFileAtomic(arrayFile(o.paths), JSON.stringify({ arrayId, jobs: jobs.map((j) => j.id), script: path.basename(scriptFile) }) + '\n');
  o.onSubmitted?.(arrayId, scriptFile);
  return { interrupted: await followSlurmArray(arrayId, jobs, o), arrayId };
}

/**
 * Follows array `arrayId` (task i runs `jobs[i]`) with squeue until every task has left the queue, calling
 * `onTaskGone` for those whose job is in `keep` (default all). A stop signal cancels the array; returns that signal.
 */
export async function followSlurmArray(
  arrayId: string,
  jobs: Job[],
  o: { pollMs?: number; log(msg: string): void; onTaskGone(job: Job, slurmJobId: string): Promise<void>; keep?: Set<string> },
): Promise<NodeJS.Signals | null> {
  let interrupted: NodeJS.Signals | null = null;
  let cancelling: Promise<void> | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted = sig;
    o.log(`convkit batch: ${sig}: cancelling Slurm job ${arrayId} (running tasks save a checkpoint; rerun to continue)`);
    cancelling ??= cancel(arrayId).catch((e) => o.log(`convkit batch: ${(e as Error).message}`));
  };
  const handlers = STOP_SIGNALS.map((s) => [s, () => onSignal(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  const gone = new Set<number>();
  try {
    for (;;) {
      const queued = await queuedTasks(arrayId);
      for (let i = 0; i < jobs.length; i++) {
        if (gone.has(i) || queued.has(i)) continue;
        gone.add(i);
        if (!o.keep || o.keep.has(jobs[i].id)) await o.onTaskGone(jobs[i], `${arrayId}_${i}`);
      }
      if (gone.size === jobs.length) break;
      await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
    }
  } finally {
    await cancelling;
    for (const [s, h] of handlers) process.off(s, h);
  }
  return interrupted;
}
