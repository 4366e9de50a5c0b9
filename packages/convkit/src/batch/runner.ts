import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { optionError } from '../util/errors.js';
import { acquireRunLock, runWriter } from '../run/lock.js';
import { STOP_SIGNALS } from './local.js';
import { convkitCommand, type ConvkitCommand } from './command.js';
import type { BatchConfig } from './config.js';
import { runLocal } from './local.js';
import { planJobs, type Job } from './plan.js';
import { appendRecord, collectRecord, readRecords, type JobRecord } from './results.js';
import { followSlurmArray, liveArray, readSlurmJobId, runSlurm, slurmPaths } from './slurm.js';
import { hasLeftovers, jobStatus, type JobStatus } from './state.js';
import { freshArgs, resumeArgs, writeJobConfigs } from './job-config.js';

export interface BatchRunOptions {
  executor: 'local' | 'slurm';
  parallel: number;
  /** Cores of this machine (parallel × threads must fit). */
  cores?: number;
  /** CONVKIT_THREADS per job; default cores / parallel. */
  threads?: number;
  log?(msg: string): void;
  command?: ConvkitCommand;
  pollMs?: number;
}

export interface BatchRunSummary {
  jobs: number;
  skipped: number;
  started: number;
  completed: number;
  failed: number;
  unfinished: number;
  interrupted: NodeJS.Signals | null;
  arrayId?: string;
}

/** Threads per job for a local pool: parallel × threads ≤ cores. */
export function localThreads(parallel: number, cores: number, threads?: number): number {
  if (parallel > cores) throw optionError('--parallel', `${parallel} jobs at once on ${cores} cores (each job needs at least one)`);
  const t = threads ?? Math.max(1, Math.floor(cores / parallel));
  if (parallel * t > cores) throw optionError('--parallel', `${parallel} jobs × CONVKIT_THREADS=${t} = ${parallel * t} threads on ${cores} cores`);
  return t;
}

/** The last `convkit: error:` line of a job's log, or its last line. */
export function errorFromLog(log: string): string | null {
  const lines = log.split('\n').map((l) => l.trim()).filter(Boolean);
  const err = [...lines].reverse().find((l) => /^convkit: (internal )?error:/.test(l));
  return (err ?? lines[lines.length - 1] ?? null)?.replace(/^convkit: (internal )?error: /, '') ?? null;
}

async function slurmLog(out: string, slurmJobId: string | null): Promise<string> {
  if (!slurmJobId) return '';
  try {
    return await fs.readFile(path.join(slurmPaths(out).logDir, `slurm-${slurmJobId}.out`), 'utf8');
  } catch {
    return '';
  }
}

/**
 * `convkit batch run`: records what finished since the last look, then runs every job that is not done
 * (interrupted and failed ones continue from their checkpoints), on a local pool or as a Slurm array.
 */
export async function runBatch(config: BatchConfig, o: BatchRunOptions): Promise<BatchRunSummary> {
  const log = o.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const jobs = planJobs(config);
  const threads = o.executor === 'local' ? localThreads(o.parallel, o.cores ?? os.availableParallelism(), o.threads) : 0;
  // One `batch run` at a time per batch directory: a second one would start a second writer on the same runs.
  const lock = await acquireRunLock(config.out, { lockFile: '.batch.lock', subject: 'batch directory', purpose: 'batch run', log });
  try {
    const recorded = await readRecords(config.out);
    const seen = new Set(recorded.map((r) => `${r.job_id}|${r.status}|${r.finished}`));
    const record = async (r: JobRecord) => {
      const key = `${r.job_id}|${r.status}|${r.finished}`;
      if (seen.has(key)) return;
      seen.add(key);
      await appendRecord(config.out, r);
    };
    const paths = slurmPaths(config.out);
    // Who ran a job: a Slurm task records its job id in the batch folder.
    const ranBy = async (job: Job) => {
      const slurmJobId = await readSlurmJobId(paths, job);
      return { executor: slurmJobId ? ('slurm' as const) : ('local' as const), slurmJobId };
    };
    // Runs that ended while no batch was watching (a Slurm task after the batch was killed, an orphaned local job).
    const todo: Job[] = [];
    const following: Job[] = [];
    let skipped = 0;
    for (const job of jobs) {
      const st = await jobStatus(job);
      const { executor, slurmJobId } = await ranBy(job);
      if (st.state === 'done') {
        await record(await collectRecord(config.name, job, st, { executor, slurmJobId }));
        skipped++;
      } else if (st.state === 'running') {
        following.push(job);
        skipped++;
      } else {
        if (st.state === 'failed') await record(await collectRecord(config.name, job, st, { executor, slurmJobId }));
        todo.push(job);
      }
    }
    const summary: BatchRunSummary = { jobs: jobs.length, skipped, started: todo.length, completed: 0, failed: 0, unfinished: 0, interrupted: null };
    // A Slurm array of an earlier `batch run` still queued or running: followed again, not submitted twice.
    const attached = o.executor === 'slurm' ? await liveArray(paths, jobs, log) : null;
    const inArray = new Set(attached?.queued.map((j) => j.id));
    const follow = following.filter((j) => !inArray.has(j.id));
    const toSubmit = todo.filter((j) => !inArray.has(j.id));
    if (!todo.length && !following.length) {
      log(`convkit batch: all ${jobs.length} job(s) of ${config.name} are done; nothing to start`);
      return summary;
    }
    log(
      `convkit batch: ${config.name}: ${jobs.length} job(s), ${skipped} done or running, ${todo.length} to run` +
        (o.executor === 'local' ? ` on ${o.parallel} local process(es) × ${threads} thread(s)` : ' on Slurm'),
    );
    let finishedCount = 0;
    const total = todo.length + following.length;
    const finish = async (job: Job, st: JobStatus, how: { executor: 'local' | 'slurm'; error?: string | null; exitCode?: number | null; slurmJobId?: string | null }) => {
      finishedCount++;
      const tag = `[${finishedCount}/${total}] ${job.id} ${job.modelLabel} on ${job.datasetLabel}`;
      if (st.state === 'done' || st.state === 'failed' || how.error) {
        const r = await collectRecord(config.name, job, st, how);
        await record(r);
        if (r.status === 'completed') {
          summary.completed++;
          log(`convkit batch: ${tag}: ${(r.test_accuracy! * 100).toFixed(2)} % test accuracy, ${r.duration_s!.toFixed(1)} s`);
        } else {
          summary.failed++;
          log(`convkit batch: ${tag}: failed: ${r.error}`);
        }
      } else {
        summary.unfinished++;
        log(`convkit batch: ${tag}: ${st.state} (rerun the batch to continue it)`);
      }
    };
    const command = o.command ?? convkitCommand();
    const execute = async (list: Job[]): Promise<NodeJS.Signals | null> => {
      const starts = new Map<string, 'fresh' | 'resume'>();
      for (const job of list) starts.set(job.id, (await jobStatus(job)).resumable ? 'resume' : 'fresh');
      const leftovers = new Set<string>();
      for (const job of list) if (starts.get(job.id) === 'fresh' && (await hasLeftovers(job))) leftovers.add(job.id);
      // Every job to run gets its config file (a Slurm task decides fresh or resume only when it starts).
      await writeJobConfigs(config.out, list);
      if (o.executor === 'local') {
        const r = await runLocal(list, {
          parallel: o.parallel,
          threads,
          command,
          logDir: paths.logDir,
          argsOf: (job) => (starts.get(job.id) === 'resume' ? resumeArgs(job) : [...freshArgs(config.out, job), ...(leftovers.has(job.id) ? ['--force'] : [])]),
          log,
          onExit: async (job, exit) => {
            const st = await jobStatus(job);
            // Exit 130/143 or a signal: interrupted, to be resumed; exit 2 before any status: a bad input, recorded.
            const stopped = exit.signal !== null || exit.code === 130 || exit.code === 143 || exit.code === 129;
            const error = st.state === 'done' || stopped ? null : errorFromLog(exit.log) ?? `exit code ${exit.code}`;
            await finish(job, st, { executor: 'local', error, exitCode: exit.code });
          },
        });
        return r.interrupted;
      }
      const r = await runSlurm(list, {
        name: config.name,
        slurm: config.slurm,
        command,
        paths,
        pollMs: o.pollMs,
        log,
        onSubmitted: (id, file) => log(`convkit batch: submitted Slurm job array ${id} (${list.length} task(s)): ${file}`),
        onTaskGone: (job, fallbackId) => slurmTaskGone(job, fallbackId),
      });
      summary.arrayId = r.arrayId;
      return r.interrupted;
    };
    const slurmTaskGone = async (job: Job, fallbackId: string) => {
      const st = await jobStatus(job);
      const slurmJobId = (await readSlurmJobId(paths, job)) ?? fallbackId;
      const text = await slurmLog(config.out, slurmJobId);
      // A task that never got to write a status but printed an error (bad input) failed; one cancelled before it ran did not.
      const error = st.state === 'done' || st.state === 'interrupted' || !/convkit: (internal )?error:/.test(text) ? null : errorFromLog(text);
      await finish(job, st, { executor: 'slurm', error, slurmJobId });
    };
    const stopper = signalFlag();
    try {
      const [followed, attachedEnd, executed] = await Promise.all([
        followRuns(follow, { pollMs: o.pollMs ?? 1000, log, stopped: stopper.stopped }),
        attached
          ? followSlurmArray(attached.arrayId, attached.jobs, { pollMs: o.pollMs, log, onTaskGone: slurmTaskGone, keep: inArray })
          : Promise.resolve(null),
        toSubmit.length ? execute(toSubmit) : Promise.resolve(null),
      ]);
      summary.interrupted = executed ?? attachedEnd ?? stopper.signal();
      // Followed runs that ended unfinished (their writer was stopped or killed) are resumed now, unless stopped.
      const again: Job[] = [];
      for (const job of followed) {
        const st = await jobStatus(job);
        if (st.state === 'done' || st.state === 'failed') await finish(job, st, await ranBy(job));
        else again.push(job);
      }
      if (again.length && !summary.interrupted) summary.interrupted = await execute(again);
      else for (const job of again) await finish(job, await jobStatus(job), { executor: 'local' });
    } finally {
      stopper.dispose();
    }
    return summary;
  } finally {
    await lock.release();
  }
}

/** Whether SIGINT, SIGTERM or SIGHUP came while the batch follows runs it did not start (no pool to pass it to). */
function signalFlag(): { stopped: () => boolean; signal: () => NodeJS.Signals | null; dispose: () => void } {
  let got: NodeJS.Signals | null = null;
  const handlers = STOP_SIGNALS.map((s) => [s, () => (got = s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return { stopped: () => got !== null, signal: () => got, dispose: () => handlers.forEach(([s, h]) => process.off(s, h)) };
}

/**
 * Follows runs another process is writing (the orphans of a `batch run` that was killed, whose `convkit train`
 * children go on in their own sessions) until their writer is gone, so that they get their record. Returns them.
 */
async function followRuns(jobs: Job[], o: { pollMs: number; log(m: string): void; stopped(): boolean }): Promise<Job[]> {
  const waiting = new Set(jobs);
  for (const job of jobs) {
    const w = await runWriter(job.runDir);
    o.log(`convkit batch: ${job.id} (${job.modelLabel} on ${job.datasetLabel}) is being written by pid ${w?.pid ?? '?'} on ${w?.host ?? '?'}; following it until it ends`);
  }
  while (waiting.size && !o.stopped()) {
    for (const job of [...waiting]) if ((await jobStatus(job)).state !== 'running') waiting.delete(job);
    if (waiting.size) await new Promise((r) => setTimeout(r, o.pollMs));
  }
  return jobs.filter((j) => !waiting.has(j));
}
