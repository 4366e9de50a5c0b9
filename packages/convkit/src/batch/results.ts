import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bestEpoch, readRunMetrics } from '../run/metrics.js';
import { readRunConfigOrNull } from '../run/config.js';
import { readRunResultOrNull } from '../run/result.js';
import { appendJsonLine, parseJsonLines } from '../util/json-files.js';
import type { Job } from './plan.js';
import type { JobStatus } from './state.js';

/** One line of OUT/results.jsonl: a finished job (completed or failed), as collected from its run directory. */
export interface JobRecord {
  job_id: string;
  /** Position of the job in the plan (tables keep the config's order of datasets and models). */
  job_index: number;
  batch: string;
  dataset: string;
  dataset_label: string;
  model: string;
  model_label: string;
  options: Record<string, unknown>;
  variant: Record<string, unknown>;
  repeat: number;
  status: 'completed' | 'failed';
  error: string | null;
  test_accuracy: number | null;
  test_loss: number | null;
  /** Images the run trained on (result.json's `train_count`, else config.json's `dataset.trainCount`); absent in
   *  records written before 2026-12-04. */
  train_count?: number | null;
  best_val_accuracy: number | null;
  best_epoch: number | null;
  epochs: number | null;
  duration_s: number | null;
  images_per_s: number | null;
  backend: string | null;
  run_dir: string;
  host: string;
  executor: 'local' | 'slurm';
  slurm_job_id: string | null;
  exit_code: number | null;
  /** When the attempt ended (the run status's last update, else now): tells two attempts of one job apart. */
  finished: string;
}

export function resultsFile(out: string): string {
  return path.join(out, 'results.jsonl');
}

/** Best validation accuracy and its epoch, from the run's metrics. */
async function bestValidation(runDir: string): Promise<{ acc: number | null; epoch: number | null }> {
  const best = bestEpoch(await readRunMetrics(runDir));
  return { acc: best?.val_accuracy ?? null, epoch: best?.epoch ?? null };
}

/** The record of a job whose run ended (`done` or `failed`); `error` is the failure as the run or its log told it. */
export async function collectRecord(
  batch: string,
  job: Job,
  st: JobStatus,
  how: { executor: 'local' | 'slurm'; error?: string | null; exitCode?: number | null; slurmJobId?: string | null },
): Promise<JobRecord> {
  const result = st.state === 'done' ? await readRunResultOrNull(job.runDir) : null;
  const best = await bestValidation(job.runDir);
  const trainCount = result?.train_count ?? (await readRunConfigOrNull(job.runDir))?.dataset?.trainCount ?? null;
  const completed = result !== null;
  return {
    job_id: job.id,
    job_index: job.index,
    batch,
    dataset: job.dataset,
    dataset_label: job.datasetLabel,
    model: job.model,
    model_label: job.modelLabel,
    options: job.options as Record<string, unknown>,
    variant: job.variant,
    repeat: job.repeat,
    status: completed ? 'completed' : 'failed',
    error: completed ? null : (st.status?.state === 'failed' ? st.status.message : null) ?? how.error ?? 'failed (no message)',
    test_accuracy: result?.test_accuracy ?? null,
    test_loss: result?.test_loss ?? null,
    train_count: trainCount,
    best_val_accuracy: best.acc,
    best_epoch: best.epoch,
    epochs: result?.epochs ?? st.status?.last?.epoch ?? null,
    duration_s: result?.duration_s ?? null,
    images_per_s: result?.images_per_s ?? null,
    backend: result?.backend ?? null,
    run_dir: job.runDir,
    host: st.status?.host ?? os.hostname(),
    executor: how.executor,
    slurm_job_id: how.slurmJobId ?? null,
    exit_code: how.exitCode ?? null,
    finished: st.status?.updated ?? new Date().toISOString(),
  };
}

/**
 * Appends one record as one line: a single write on a file opened for appending, then fsync, so a reader or a kill
 * never sees half a line (the batch runner is its only writer; a second `batch run` on OUT is refused).
 */
export async function appendRecord(out: string, record: JobRecord): Promise<void> {
  await fs.mkdir(out, { recursive: true });
  await appendJsonLine(resultsFile(out), record);
}

/** Every complete line of results.jsonl (a line cut short by a crash is skipped). */
export async function readRecords(out: string): Promise<JobRecord[]> {
  let text: string;
  try {
    text = await fs.readFile(resultsFile(out), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return parseJsonLines<JobRecord>(text);
}

/** The record that counts for each job: its completion if it has one, else its latest failure. */
export function latestRecords(records: JobRecord[]): Map<string, JobRecord> {
  const byJob = new Map<string, JobRecord>();
  for (const r of records) {
    const prev = byJob.get(r.job_id);
    if (!prev || prev.status !== 'completed') byJob.set(r.job_id, r);
  }
  return byJob;
}
