import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../util/atomic.js';
import { appendJsonLine, parseJsonLines } from '../util/json-files.js';
import { runFiles } from './layout.js';

/** Metrics of one epoch: one line of metrics.jsonl. */
export interface EpochLogs {
  epoch: number;
  loss: number;
  accuracy: number;
  val_loss?: number;
  val_accuracy?: number;
  seconds: number;
  images_per_s: number;
  lr?: number;
  [extra: string]: number | undefined;
}

/** Whether a metric is better high (accuracies, AUC, precision, recall, F1) or low (losses, everything else). */
export function metricMode(metric: string): 'min' | 'max' {
  return /acc|auc|precision|recall|f1/i.test(metric) ? 'max' : 'min';
}

/** Appends one epoch's line to metrics.jsonl and flushes it (a single write: a crash loses at most this line). */
export async function appendMetrics(file: string, logs: EpochLogs): Promise<void> {
  await appendJsonLine(file, logs);
}

/** The file's text, or '' when it cannot be read (no metrics.jsonl yet). */
async function readTextOrEmpty(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return '';
  }
}

/** Every line of a metrics.jsonl file; a torn line throws (for a run that ended; see `readMetricRows`). */
export async function readMetrics(file: string): Promise<EpochLogs[]> {
  return (await readTextOrEmpty(file))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EpochLogs);
}

/**
 * Keeps only the lines of epochs 1..`lastEpoch` (a resumed run rewrites the epochs after its checkpoint),
 * dropping a torn last line left by a kill. Rewritten atomically.
 */
export async function truncateMetrics(file: string, lastEpoch: number): Promise<EpochLogs[]> {
  const kept: EpochLogs[] = [];
  // a half-written line is of an epoch the checkpoint does not cover: parseJsonLines skips it
  for (const row of parseJsonLines<EpochLogs>(await readTextOrEmpty(file))) {
    if (row.epoch <= lastEpoch && !kept.some((k) => k.epoch === row.epoch)) kept.push(row);
  }
  await writeFileAtomic(file, kept.map((r) => JSON.stringify(r) + '\n').join(''));
  return kept;
}

/** Every complete line of metrics.jsonl, for readers of a run that may still be written (a torn last line of a killed run is skipped). */
export async function readMetricRows(file: string): Promise<EpochLogs[]> {
  return parseJsonLines<EpochLogs>(await readTextOrEmpty(file));
}

/** The metrics.jsonl text of the run in `dir` ('' when there is none yet): what a cache key of the run hashes. */
export function readRunMetricsText(dir: string): Promise<string> {
  return readTextOrEmpty(runFiles(dir).metrics);
}

/** Every complete line of the metrics.jsonl of the run in `dir` ([] when there is none yet). */
export function readRunMetrics(dir: string): Promise<EpochLogs[]> {
  return readMetricRows(runFiles(dir).metrics);
}

/** The epoch whose `metric` is best (max for accuracies, min for losses, as the monitors decide; the first one reaching it), or undefined if never logged. */
export function bestEpoch(rows: EpochLogs[], metric = 'val_accuracy'): EpochLogs | undefined {
  const max = metricMode(metric) === 'max';
  let best: EpochLogs | undefined;
  for (const r of rows) {
    const v = r[metric];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const b = best?.[metric] as number | undefined;
    if (b === undefined || (max ? v > b : v < b)) best = r;
  }
  return best;
}
