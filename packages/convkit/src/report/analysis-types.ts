// The analysis of one run as plain JSON: what `analyseRun` computes, `convkit report --json` prints, the cache file
// caches, and the browser views (report/views/, shared with the dashboard) draw. No Node or DOM imports here.

// Bump when what analyseRun computes changes: it is part of the cache key.
export const ANALYSIS_FORMAT = 'convkit-analysis/1';

export type CheckpointName = 'best' | 'last';

/** One class: id, name, and (GTSRB prepared sets) its meta pictogram as a PNG data URI. */
export interface ClassInfo {
  id: number;
  name: string;
  image?: string;
}

/** One line of a run's metrics (run/metrics.ts `EpochLogs`). */
export interface HistoryRow {
  epoch: number;
  loss: number;
  accuracy: number;
  val_loss?: number;
  val_accuracy?: number;
  lr?: number;
  seconds?: number;
  images_per_s?: number;
  [metric: string]: number | undefined;
}

/** Best value of a metric over the epochs (max for accuracies, min for losses) and the epoch it was reached at. */
export interface BestValue {
  value: number;
  epoch: number;
  mode: 'min' | 'max';
}

export interface RunHistory {
  epochs: HistoryRow[];
  best: Record<string, BestValue>;
}

export interface PerClassRow {
  class: number;
  name: string;
  /** Test images of this class. */
  count: number;
  /** Test images predicted as this class. */
  predicted: number;
  correct: number;
  /** correct / predicted (0 when nothing was predicted as this class). */
  precision: number;
  /** correct / count: the class's accuracy. */
  recall: number;
  /** Same as recall: the share of this class's images classified right (the course's "per-class accuracy"). */
  accuracy: number;
  f1: number;
}

/** A (true, predicted) pair off the diagonal. */
export interface ConfusionPair {
  true: number;
  predicted: number;
  count: number;
  /** count / test images of the true class. */
  share: number;
}

/** A class on the validation split: images and recall (null when it has none there). */
export interface ValidationClass {
  class: number;
  count: number;
  recall: number | null;
}

export interface ValidationErrors {
  perClass: ValidationClass[];
  /** Most frequent first; share = count / validation images of the true class. */
  confusions: ConfusionPair[];
}

/** The `n` classes with the lowest validation recall (ties: more images first, then by id); classes absent from validation left out. */
export function weakestOnValidation(v: ValidationErrors, n = 10): (ValidationClass & { recall: number })[] {
  return v.perClass
    .filter((c): c is ValidationClass & { recall: number } => c.recall !== null && c.count > 0)
    .sort((x, y) => x.recall - y.recall || y.count - x.count || x.class - y.class)
    .slice(0, n);
}

export interface TopClass {
  class: number;
  probability: number;
}

/** One misclassified test image. */
export interface ErrorSample {
  /** Index in the test split. */
  index: number;
  true: number;
  predicted: number;
  /** Probability given to the predicted class. */
  probability: number;
  /** Probability given to the true class. */
  trueProbability: number;
  top: TopClass[];
  /** PNG data URI of the test image as the model saw it. */
  image: string;
}

/** The output of one conv / activation / pool layer for one image: its channels tiled into one PNG. */
export interface FeatureMapLayer {
  name: string;
  className: string;
  /** Of a convolution: `linear` for its output before its built-in activation (shown first), else that activation. */
  activation?: string;
  height: number;
  width: number;
  channels: number;
  /** Channels drawn (the first `shown`), tiled left to right, top to bottom, each scaled to its own min–max. */
  shown: number;
  cols: number;
  rows: number;
  /** Pixels between tiles in `image`. */
  gap: number;
  image: string;
}

export interface FeatureMapSample {
  index: number;
  true: number;
  predicted: number;
  image: string;
  layers: FeatureMapLayer[];
}

export interface RunAnalysis {
  format: typeof ANALYSIS_FORMAT;
  /** The run folder as given. */
  run: string;
  created: string;
  convkit_version: string;
  model: string;
  data: string;
  backend: string;
  input: { height: number; width: number; channels: number };
  /** Which weights were analysed; `key` changes whenever the checkpoint's files do (it invalidates the cached analysis). */
  checkpoint: { name: CheckpointName; epoch: number; batch: number; key: string };
  /** On the whole test split of the run's data, as `convkit evaluate` computes them. */
  test: { count: number; accuracy: number; loss: number };
  /** From the run's result when it finished. */
  result?: { test_accuracy: number; test_loss: number; epochs: number; duration_s: number; images_per_s: number };
  /** Where the scored weights err on the validation split (result.json's val_per_class / val_confusions; absent for
   *  runs written before them). */
  validation?: ValidationErrors;
  classes: ClassInfo[];
  /** Counts, rows = true class, columns = predicted class. */
  confusion: number[][];
  perClass: PerClassRow[];
  topConfusions: ConfusionPair[];
  /** `count` errors in all; `worst` are the most confident ones. */
  errors: { count: number; worst: ErrorSample[] };
  history: RunHistory;
  featureMaps: FeatureMapSample[];
  /** An ensemble's report (`convkit report ENSEMBLE_DIR` or `--ensemble RUN…`): its members, whose probabilities were
   *  averaged (over `tta` transforms too); it has no curves nor feature maps of its own. */
  ensemble?: { members: { run: string; model: string; test_accuracy?: number }[]; tta: number };
}

/**
 * What a comparison needs of a run; a full RunAnalysis fits, the dashboard may pass less (no perClass yet, no test
 * figures while a run is in progress).
 */
export type CompareRun = Pick<RunAnalysis, 'run' | 'model' | 'data' | 'history'> &
  Partial<Omit<RunAnalysis, 'run' | 'model' | 'data' | 'history' | 'result'>> & { result?: Partial<NonNullable<RunAnalysis['result']>> };
