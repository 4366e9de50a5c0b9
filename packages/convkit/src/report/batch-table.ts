import type { JobRecord } from '../batch/results.js';
import { latestRecords } from '../batch/results.js';
import { table } from '../util/term.js';
import { describeAugment, type AugmentSpec } from '../train/augment/schema.js';
import { scalingCharts, scalingRows, type ScalingChart, type ScalingRun } from './scaling.js';

/** One cell of the batch table: a model (and grid point) on a dataset, averaged over repeats. */
export interface BatchCell {
  accuracy: number | null;
  best_val_accuracy: number | null;
  duration_s: number | null;
  /** Completed runs averaged into this cell, and failed ones beside them. */
  runs: number;
  failed: number;
  job_ids: string[];
  best: boolean;
}

/** The course's GTSRB7 table: one row per dataset, for each model its accuracy and duration; the best of each column marked. */
export interface BatchTable {
  batch: string;
  columns: string[];
  rows: { dataset: string; cells: Record<string, BatchCell> }[];
  best: { dataset: string; column: string; accuracy: number } | null;
  jobs: { completed: number; failed: number };
}

function variantLabel(v: Record<string, unknown>): string {
  return Object.entries(v)
    .map(([k, x]) => `${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}=${k === 'augment' ? (x ? describeAugment(x as AugmentSpec) : 'none') : x}`)
    .join(' ');
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** Records → table (the record that counts per job; repeats of one configuration averaged). */
export function batchTable(records: JobRecord[]): BatchTable {
  const latest = [...latestRecords(records).values()].sort((a, b) => (a.job_index ?? 0) - (b.job_index ?? 0));
  const columns: string[] = [];
  const datasets: string[] = [];
  const groups = new Map<string, JobRecord[]>();
  for (const r of latest) {
    const column = [r.model_label, variantLabel(r.variant ?? {})].filter(Boolean).join(' ');
    if (!columns.includes(column)) columns.push(column);
    if (!datasets.includes(r.dataset_label)) datasets.push(r.dataset_label);
    const key = `${r.dataset_label}\u0000${column}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows = datasets.map((dataset) => {
    const cells: Record<string, BatchCell> = {};
    for (const column of columns) {
      const rs = groups.get(`${dataset}\u0000${column}`) ?? [];
      const ok = rs.filter((r) => r.status === 'completed');
      cells[column] = {
        accuracy: mean(ok.map((r) => r.test_accuracy!)),
        best_val_accuracy: mean(ok.filter((r) => r.best_val_accuracy !== null).map((r) => r.best_val_accuracy!)),
        duration_s: mean(ok.map((r) => r.duration_s!)),
        runs: ok.length,
        failed: rs.length - ok.length,
        job_ids: rs.map((r) => r.job_id),
        best: false,
      };
    }
    return { dataset, cells };
  });
  let best: BatchTable['best'] = null;
  for (const column of columns) {
    let top: BatchCell | null = null;
    for (const row of rows) {
      const c = row.cells[column];
      if (c.accuracy !== null && (!top || c.accuracy > top.accuracy!)) top = c;
      if (c.accuracy !== null && (!best || c.accuracy > best.accuracy)) best = { dataset: row.dataset, column, accuracy: c.accuracy };
    }
    if (top) top.best = true;
  }
  return { batch: latest[0]?.batch ?? '', columns, rows, best, jobs: { completed: latest.filter((r) => r.status === 'completed').length, failed: latest.filter((r) => r.status === 'failed').length } };
}

function cellText(c: BatchCell | undefined, mark: (s: string) => string): [string, string] {
  if (!c || (c.runs === 0 && c.failed === 0)) return ['—', '—'];
  if (c.runs === 0) return ['failed', '—'];
  const acc = `${(c.accuracy! * 100).toFixed(2)} %${c.runs > 1 ? ` (n=${c.runs})` : ''}${c.failed ? ` +${c.failed} failed` : ''}`;
  return [c.best ? mark(acc) : acc, `${c.duration_s!.toFixed(1)} s`];
}

function header(t: BatchTable): string[] {
  return ['dataset', ...t.columns.flatMap((c) => [`${c} accuracy`, `${c} duration`])];
}

function bestLine(t: BatchTable): string {
  return t.best ? `best: ${t.best.column} on ${t.best.dataset}, ${(t.best.accuracy * 100).toFixed(2)} % test accuracy` : 'best: no completed job yet';
}

/** Plain text; `mark` highlights the best accuracy of each model's column (bold on a terminal, `*…*` otherwise). */
export function batchTableText(t: BatchTable, mark: (s: string) => string = (s) => `*${s}*`): string {
  const rows = t.rows.map((r) => [r.dataset, ...t.columns.flatMap((c) => cellText(r.cells[c], mark))]);
  return `${table(header(t), rows)}\n\n${bestLine(t)} (${t.jobs.completed} completed, ${t.jobs.failed} failed; accuracy on each dataset's test split, the best of each column marked)`;
}

export function batchTableMarkdown(t: BatchTable, title = `convkit batch ${t.batch}`): string {
  const h = header(t);
  const rows = t.rows.map((r) => [r.dataset, ...t.columns.flatMap((c) => cellText(r.cells[c], (s) => `**${s}**`))]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [`# ${title}`, '', line(h), line(h.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line), '', `${bestLine(t).replace(/^best:/, '**Best:**')}. ${t.jobs.completed} completed, ${t.jobs.failed} failed; test accuracy; the best of each column in bold.`, ''].join('\n');
}

/**
 * The completed jobs as the scaling chart's runs: family = the model and any grid setting other than `limit-train`
 * and `seed` (the size is the x axis, the seeds the spread); jobs recorded before the training-image count was (no
 * `train_count`) are left out.
 */
export function scalingRuns(records: JobRecord[]): ScalingRun[] {
  const out: ScalingRun[] = [];
  for (const r of latestRecords(records).values()) {
    if (r.status !== 'completed' || r.test_accuracy === null || typeof r.train_count !== 'number') continue;
    const { limitTrain, seed: _seed, ...rest } = r.variant ?? {};
    const limit = limitTrain ?? (r.options ?? {}).limitTrain;
    out.push({
      dataset: r.dataset_label,
      family: [r.model_label, variantLabel(rest)].filter(Boolean).join(' '),
      ...(typeof limit === 'string' || typeof limit === 'number' ? { limit } : {}),
      trainCount: r.train_count,
      accuracy: r.test_accuracy,
    });
  }
  return out;
}

/** The batch's scaling charts (datasets with at least two training-set sizes), jobs in plan order. */
export function batchScaling(records: JobRecord[]): ScalingChart[] {
  return scalingCharts(scalingRuns([...records].sort((a, b) => (a.job_index ?? 0) - (b.job_index ?? 0))));
}

const SCALING_NOTE = 'test accuracy against training images: mean of the repeats (min–max, n = runs)';

export function scalingText(charts: ScalingChart[]): string {
  return charts
    .map((c) => {
      const { header, rows } = scalingRows(c);
      return `${c.dataset}: ${SCALING_NOTE}\n${table(header, rows, header.map((_, i) => (i === 1 ? 'l' : 'r')))}`;
    })
    .join('\n\n');
}

export function scalingMarkdown(charts: ScalingChart[]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return charts
    .map((c) => {
      const { header, rows } = scalingRows(c);
      return [`## ${c.dataset}: accuracy against training-set size`, '', line(header), line(header.map((_, i) => (i === 1 ? '---' : '---:'))), ...rows.map(line), '', `${SCALING_NOTE[0].toUpperCase()}${SCALING_NOTE.slice(1)}.`, ''].join('\n');
    })
    .join('\n');
}
