import { createHash } from 'node:crypto';
import path from 'node:path';
import type { TrainConfigInput } from '../train/config.js';
import { trainDefault } from '../train/options.js';
import type { BatchConfig } from './config.js';

/** One training run of a batch: what `convkit train` is given, and where it writes. */
export interface Job {
  /** Hash of the resolved config (data, model and its file's content, options): the same job always gets the same id. */
  id: string;
  /** 0-based position in the plan (the Slurm array index when all are pending). */
  index: number;
  dataset: string;
  datasetLabel: string;
  model: string;
  modelLabel: string;
  /** Options for convkit train beyond model, data and out (camelCase, as in TrainConfigSchema). */
  options: Partial<TrainConfigInput>;
  /** The grid point and repeat that made this job (for tables). */
  variant: Record<string, unknown>;
  repeat: number;
  runDir: string;
}

/** JSON with keys sorted, so that equal configs hash equally whatever order they were written in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function jobId(resolved: { data: string; model: string; modelSha256?: string; options: Partial<TrainConfigInput> }): string {
  return createHash('sha256').update(canonical(resolved)).digest('hex').slice(0, 12);
}

function* gridPoints(grid: [string, unknown[]][]): Generator<Record<string, unknown>> {
  if (grid.length === 0) {
    yield {};
    return;
  }
  const [[key, values], ...rest] = grid;
  for (const v of values) for (const p of gridPoints(rest)) yield { [key]: v, ...p };
}

/** Config → jobs, in a stable order (dataset, model, grid, repeat). Pure: reads and writes nothing. */
export function planJobs(config: BatchConfig): Job[] {
  const jobs: Job[] = [];
  for (const d of config.datasets) {
    for (const m of config.models) {
      for (const point of gridPoints(config.grid)) {
        for (let r = 0; r < config.repeats; r++) {
          const options: Partial<TrainConfigInput> = { ...config.train, ...point };
          // A repeat is the same job with the next seed.
          if (r > 0) options.seed = ((options.seed as number | undefined) ?? trainDefault('seed')) + r;
          const id = jobId({ data: d.spec, model: m.spec, modelSha256: m.sha256, options });
          jobs.push({
            id,
            index: jobs.length,
            dataset: d.spec,
            datasetLabel: d.label,
            model: m.spec,
            modelLabel: m.label,
            options,
            variant: point,
            repeat: r,
            runDir: path.join(config.out, 'runs', id),
          });
        }
      }
    }
  }
  return jobs;
}
