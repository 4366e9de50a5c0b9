import { promises as fs } from 'node:fs';
import { writeJsonAtomic } from '../util/atomic.js';
import { ConvkitError } from '../util/errors.js';
import { readJsonOrNull } from '../util/json-files.js';
import { runFiles } from './layout.js';

/** The weights a finished run was scored with (result.json's `selected`). */
export interface SelectedCheckpoint {
  /** `best`: checkpoints/best (chosen on the validation split); `last`: the weights training ended with. */
  checkpoint: 'best' | 'last';
  epoch: number | null;
  monitor: string;
  value: number | null;
}

/** One class on the validation split, with the selected weights: its images and the share classified right. */
export interface ValClassRecall {
  class: number;
  count: number;
  /** correct / count; null when the validation split holds no image of the class. */
  recall: number | null;
}

/** A (true → predicted) mistake on the validation split and how many images made it. */
export interface ValConfusion {
  true: number;
  predicted: number;
  count: number;
}

/** result.json: written once, when a run finished; its presence is what makes a run finished. */
export interface RunResult {
  test_accuracy: number;
  test_loss: number;
  /** Number of test images scored (the `--limit-test` subset, if any). Absent in runs written before 2026-12. */
  test_count?: number;
  /** Number of images trained on (after `--limit-train` and any validation held out of train); config.json's
   *  `dataset.trainCount` says the same. Absent in runs written before 2026-12-04. */
  train_count?: number;
  epochs: number;
  duration_s: number;
  images_per_s: number;
  backend: string;
  model: string;
  data: string;
  /** Where validation came from (whole tracks or images of train, or the test set) and its size. */
  validation: { kind: 'tracks' | 'images' | 'test'; fraction?: number; count: number; note?: string };
  /** The weights evaluated on the test set (once, at the end). */
  selected: SelectedCheckpoint;
  /** Validation accuracy of the selected weights (the last epoch's for `last`). */
  val_accuracy?: number;
  /** A recipe's `evaluate: {tta: N}` (docs/ensembles.md), added after training: transforms averaged at test time, N
   *  when TTA was not lower on validation, else 0. When kept, test_accuracy / test_loss are the TTA figures and
   *  test_accuracy_no_tta the one training wrote. Absent in runs without that block. */
  tta?: number;
  tta_tried?: number;
  val_accuracy_no_tta?: number;
  val_accuracy_tta?: number | null;
  test_accuracy_no_tta?: number;
  /** Recall of each class on the validation split with the selected weights (index = class id). Absent in runs
   *  written before 2026-12-05. */
  val_per_class?: ValClassRecall[];
  /** The most frequent (true → predicted) mistakes on the validation split (at most 10), most frequent first.
   *  Absent in runs written before 2026-12-05. */
  val_confusions?: ValConfusion[];
}

/** Writes result.json in one rename: the run counts as finished only once the whole file is there. */
export async function writeRunResult(dir: string, result: RunResult): Promise<void> {
  await writeJsonAtomic(runFiles(dir).result, result);
}

/** The result.json of the run in `dir`, or null when the run has not finished (or the file is unreadable). */
export async function readRunResultOrNull(dir: string): Promise<RunResult | null> {
  const value = await readJsonOrNull<unknown>(runFiles(dir).result);
  return value !== null && resultProblem(value) === null ? (value as RunResult) : null;
}

const NUMBER_FIELDS = ['test_accuracy', 'test_loss', 'epochs', 'duration_s', 'images_per_s'] as const;
const STRING_FIELDS = ['backend', 'model', 'data'] as const;

/** Why `value` is not a result.json readers can use (a file handed over by someone else may hold anything), or null. */
function resultProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const r = value as Record<string, unknown>;
  for (const k of NUMBER_FIELDS) if (typeof r[k] !== 'number') return `${k}: expected a number`;
  for (const k of STRING_FIELDS) if (typeof r[k] !== 'string') return `${k}: expected a string`;
  return null;
}

/** The result.json of a finished run; a ConvkitError naming the file when it is missing or not JSON. */
export async function readRunResult(dir: string): Promise<RunResult> {
  const file = runFiles(dir).result;
  let value: unknown;
  try {
    value = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConvkitError(code === 'ENOENT' ? 'not a finished run (result.json missing)' : `cannot parse (${(e as Error).message})`, { file });
  }
  const problem = resultProblem(value);
  if (problem) throw new ConvkitError(`not a convkit result: ${problem}`, { file });
  return value as RunResult;
}

/** The raw result.json text ('' when there is none): what a cache key of the run hashes. */
export async function readRunResultText(dir: string): Promise<string> {
  try {
    return await fs.readFile(runFiles(dir).result, 'utf8');
  } catch {
    return '';
  }
}
