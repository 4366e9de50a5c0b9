// PLACEHOLDER of the `audit` branch: the confident-learning module is written on the `suspects` branch; the lead
// replaces this whole file with that one at merge. Only the declarations below (the shared interface) are fixed here.

export interface LabelSuspectsInput {
  /** Images NHWC float32 in [0,1], as a prepared set holds them (e.g. 32×32 RGB or L). */
  x: Float32Array;
  shape: [number, number, number, number]; // [n, h, w, c]
  labels: Int32Array; // given class per image
  numClasses: number;
  /** Group per image (GTSRB track id, any integer); folds keep a group together. null: folds by image. */
  groups: Int32Array | null;
}
export interface LabelSuspectsOptions {
  folds: number; // k, default 4
  model: string; // zoo model name (or model file), default chosen by the implementation for the input shape
  epochs: number;
  seed: number;
  batchSize?: number;
  onProgress?: (line: string) => void; // one line per fold/epoch, for stderr
}
export interface LabelSuspect {
  index: number;
  given: number;
  suggested: number;
  score: number;
}
export interface LabelSuspectsResult {
  suspects: LabelSuspect[]; // most suspect first
  probabilities: Float32Array; // n × numClasses out-of-fold probabilities
  thresholds: Float32Array; // per-class confident-learning thresholds
  folds: number;
  byGroup: boolean;
  seconds: number;
}
export function findLabelSuspects(_input: LabelSuspectsInput, _opts: LabelSuspectsOptions): Promise<LabelSuspectsResult> {
  throw new Error('label-suspects: merged from the suspects branch');
}
/** Confident learning from given probabilities (for --runs that cover every image). */
export function rankLabelSuspects(_probabilities: Float32Array, _labels: Int32Array, _numClasses: number): { suspects: LabelSuspect[]; thresholds: Float32Array } {
  throw new Error('label-suspects: merged from the suspects branch');
}
