import { readRunResultOrNull } from '../run/result.js';
import type { BatchConfig } from './config.js';
import { planJobs, type Job } from './plan.js';
import { latestRecords, readRecords } from './results.js';
import { jobStatus, type JobState } from './state.js';

export interface JobView {
  id: string;
  dataset: string;
  model: string;
  variant: Record<string, unknown>;
  repeat: number;
  state: JobState;
  epoch: number | null;
  epochs: number | null;
  test_accuracy: number | null;
  error: string | null;
  run_dir: string;
}

export interface BatchStatus {
  name: string;
  out: string;
  counts: Record<JobState, number>;
  jobs: JobView[];
}

/** Where every job of the batch stands, from the run directories (live) and results.jsonl (failures with no run). */
export async function batchStatus(config: BatchConfig, jobs: Job[] = planJobs(config)): Promise<BatchStatus> {
  const records = latestRecords(await readRecords(config.out));
  const counts: Record<JobState, number> = { done: 0, running: 0, failed: 0, interrupted: 0, pending: 0 };
  const views: JobView[] = [];
  for (const job of jobs) {
    const st = await jobStatus(job);
    const rec = records.get(job.id);
    let state = st.state;
    // A job that failed before writing any status (bad data, a model that does not fit) is known from its record.
    if ((state === 'pending' || state === 'interrupted') && !st.status && rec?.status === 'failed') state = 'failed';
    counts[state]++;
    views.push({
      id: job.id,
      dataset: job.datasetLabel,
      model: job.modelLabel,
      variant: job.variant,
      repeat: job.repeat,
      state,
      epoch: st.status?.epoch ?? null,
      epochs: st.status?.epochs ?? null,
      // A run finished while no batch was watching (an orphaned job) has its result but no record until the next run.
      test_accuracy: rec?.status === 'completed' ? rec.test_accuracy : state === 'done' ? await resultAccuracy(job.runDir) : null,
      error: state === 'failed' ? (st.status?.message ?? rec?.error ?? null) : null,
      run_dir: job.runDir,
    });
  }
  return { name: config.name, out: config.out, counts, jobs: views };
}

async function resultAccuracy(runDir: string): Promise<number | null> {
  const r = await readRunResultOrNull(runDir);
  return typeof r?.test_accuracy === 'number' ? r.test_accuracy : null;
}
