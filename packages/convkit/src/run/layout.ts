import path from 'node:path';

// The run folder's layout: the one place that spells the names of its files (docs/run-folder.md describes them).
// This file and the readers beside it load no tfjs, so that the dashboard and the batch runner can read runs cheaply;
// only `run/checkpoint.ts` (writing and decoding checkpoints) needs tfjs.

/** Names of the entries of a run folder. */
export const RUN_FILE_NAMES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  status: 'status.json',
  result: 'result.json',
  model: 'model',
  checkpoints: 'checkpoints',
  tensorboard: 'tb',
  lock: 'run.lock',
} as const;

/** The report's caches in a run folder, one per checkpoint analysed (not part of the run: deleting them is harmless). */
export const ANALYSIS_FILE_NAMES = { last: 'analysis.json', best: 'analysis-best.json' } as const;

/** The files of a run folder. */
export function runFiles(dir: string) {
  return {
    config: path.join(dir, RUN_FILE_NAMES.config),
    metrics: path.join(dir, RUN_FILE_NAMES.metrics),
    model: path.join(dir, RUN_FILE_NAMES.model),
    result: path.join(dir, RUN_FILE_NAMES.result),
    status: path.join(dir, RUN_FILE_NAMES.status),
    checkpoints: path.join(dir, RUN_FILE_NAMES.checkpoints),
    tensorboard: path.join(dir, RUN_FILE_NAMES.tensorboard),
    lock: path.join(dir, RUN_FILE_NAMES.lock),
  };
}

/** Entries whose presence makes a directory a run (everything of `RUN_FILE_NAMES` but the lock). */
export const RUN_ENTRIES: readonly string[] = Object.values(RUN_FILE_NAMES).filter((n) => n !== RUN_FILE_NAMES.lock);

/** Sub-folders of a run, which never hold other runs. */
export const RUN_SUBDIRS: readonly string[] = [RUN_FILE_NAMES.model, RUN_FILE_NAMES.checkpoints, RUN_FILE_NAMES.tensorboard];

/** The files whose change alters what a reader shows of a run (the dashboard watches these). */
export const RUN_SUMMARY_FILES: readonly string[] = [RUN_FILE_NAMES.status, RUN_FILE_NAMES.metrics, RUN_FILE_NAMES.result, RUN_FILE_NAMES.config];

/** Whether the entry names of a folder make it a run as readers see one: config.json and at least one thing written by training. */
export function looksLikeRun(names: ReadonlySet<string>): boolean {
  return names.has(RUN_FILE_NAMES.config) && [RUN_FILE_NAMES.status, RUN_FILE_NAMES.metrics, RUN_FILE_NAMES.result, RUN_FILE_NAMES.checkpoints].some((n) => names.has(n));
}

/** The checkpoints every run keeps: `best` (best monitored metric so far) and `last` (newest; `last.prev` the one before). */
export type CheckpointName = 'best' | 'last';

/** The names of the checkpoints in `checkpoints/`. */
export const CHECKPOINT_NAMES = { best: 'best', last: 'last' } as const satisfies Record<CheckpointName, string>;

/** Suffix of the previous `last` checkpoint kept beside it (`last.prev`). */
export const PREVIOUS_SUFFIX = '.prev';

/** The checkpoints a resume may start from, in order: `last`, else `last.prev` (when `last` is missing or damaged). */
export const RESUME_CHECKPOINTS: readonly string[] = [CHECKPOINT_NAMES.last, `${CHECKPOINT_NAMES.last}${PREVIOUS_SUFFIX}`];

/** The folder of a checkpoint: `best`, `last`, `last.prev`, `epoch-007`. */
export function checkpointDir(runDir: string, name: string): string {
  return path.join(runFiles(runDir).checkpoints, name);
}

/** The name of the checkpoint `--save-every` keeps after `epoch`: `epoch-007`. */
export function epochCheckpointName(epoch: number): string {
  return `epoch-${String(epoch).padStart(3, '0')}`;
}

/** The files of one checkpoint folder (`manifest.json` is written last and lists the others with their SHA-256). */
export const CHECKPOINT_FILE_NAMES = {
  modelJson: 'model.json',
  weights: 'weights.bin',
  optimizer: 'optimizer.bin',
  callbacks: 'callbacks.bin',
  state: 'state.json',
  manifest: 'manifest.json',
} as const;

/** How messages name a checkpoint of a run: `checkpoints/last`. */
export function checkpointLabel(name: string): string {
  return `${RUN_FILE_NAMES.checkpoints}/${name}`;
}

/** Where a run's weights may be, newest finished first: the saved `model/`, then `checkpoints/best`, `checkpoints/last`. */
export function weightDirs(runDir: string): { from: string; dir: string }[] {
  return [
    { from: `${RUN_FILE_NAMES.model}/`, dir: runFiles(runDir).model },
    ...(['best', 'last'] as const).map((n) => ({ from: checkpointLabel(n), dir: checkpointDir(runDir, n) })),
  ];
}
