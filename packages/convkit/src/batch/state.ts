import { promises as fs } from 'node:fs';
import { hasRunConfig, isFinishedRun } from '../run/dir.js';
import { runWriter } from '../run/lock.js';
import { effectiveState, readRunStatus, type RunStatus } from '../run/status.js';
import type { Job } from './plan.js';

/**
 * Where a job stands, from its run directory alone: `done` (a result), `running` (a live writer holds the run lock),
 * `failed`, `interrupted` (stopped or killed with a run to resume), `pending` (nothing yet).
 */
export type JobState = 'done' | 'running' | 'failed' | 'interrupted' | 'pending';

export interface JobStatus {
  state: JobState;
  /** A run config: the run can be continued with `convkit train --resume`. */
  resumable: boolean;
  status: RunStatus | null;
}

export async function jobStatus(job: Job): Promise<JobStatus> {
  const dir = job.runDir;
  const resumable = await hasRunConfig(dir);
  if (await isFinishedRun(dir)) return { state: 'done', resumable: false, status: await readRunStatus(dir) };
  const status = await readRunStatus(dir);
  // The run lock names the one live writer (train or --resume), also while it loads data before any status.
  if (await runWriter(dir)) return { state: 'running', resumable, status };
  if (status) {
    const s = effectiveState(status);
    if (s === 'running') return { state: 'running', resumable, status };
    if (s === 'failed') return { state: 'failed', resumable, status };
    return { state: 'interrupted', resumable, status };
  }
  return { state: resumable ? 'interrupted' : 'pending', resumable, status };
}

/** Whether a job's run directory exists but holds no run yet (killed before its config was written). */
export async function hasLeftovers(job: Job): Promise<boolean> {
  try {
    return (await fs.readdir(job.runDir)).length > 0;
  } catch {
    return false;
  }
}
