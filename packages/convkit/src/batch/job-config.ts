import path from 'node:path';
import { writeJsonAtomic } from '../util/atomic.js';
import type { Job } from './plan.js';

/**
 * How a batch hands a job to `convkit train`: the job's whole train config as a config file (`train:` block, the
 * same schema as the command line and every other config file), written atomically to OUT/jobs/<id>.json before the
 * job starts; the job runs `convkit train --config FILE`. No option is turned back into command-line words.
 */
export function jobConfigFile(batchOut: string, job: Job): string {
  return path.join(batchOut, 'jobs', `${job.id}.json`);
}

/** The content of a job's config file: model, data and run folder set by the batch, progress as lines unless the batch sets it. */
export function jobTrainConfig(job: Job): { description: string; train: Record<string, unknown> } {
  return {
    description: `batch job ${job.id}: ${job.modelLabel} on ${job.datasetLabel}`,
    train: { model: job.model, data: job.dataset, out: job.runDir, progress: 'lines', ...job.options },
  };
}

/** Writes the config files of `jobs` (temp file, fsync, rename: a job never reads half a file). */
export async function writeJobConfigs(batchOut: string, jobs: readonly Job[]): Promise<void> {
  for (const job of jobs) await writeJsonAtomic(jobConfigFile(batchOut, job), jobTrainConfig(job));
}

/** `convkit train` arguments to start a job from scratch (its config file written by writeJobConfigs). */
export function freshArgs(batchOut: string, job: Job): string[] {
  return ['train', '--config', jobConfigFile(batchOut, job)];
}

/** `convkit train` arguments to continue a job's unfinished run from its checkpoint. */
export function resumeArgs(job: Job): string[] {
  return ['train', '--resume', job.runDir, '--progress', 'lines'];
}
