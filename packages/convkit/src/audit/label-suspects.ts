// Label suspects by confident learning (Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in
// Dataset Labels", JAIR 2021) on out-of-fold probabilities from k small models trained in-process.
// Hand-written: no JS library does confident learning; the rule is a few lines (per-class mean self-confidence as
// threshold, the confident joint's off-diagonal, ranked by self-confidence as cleanlab ranks by default).
import type { ImageSplit } from '../datasets/types.js';
import { ConvkitError } from '../util/errors.js';
import { Rng, seedGlobalRandom, unseedGlobalRandom } from '../util/rng.js';

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

export { DEFAULT_SUSPECT_EPOCHS, DEFAULT_SUSPECT_FOLDS } from './options.js';
const DEFAULT_BATCH_SIZE = 64;
const LEARNING_RATE = 0.001;

/**
 * The fold models' architecture when `model` is empty or `auto`: the small, fast zoo CNN for the input size.
 * gtsrb-vgg-bn (0.4 M parameters, ~12 M multiply-adds per 32×32 image, batch norm so a few epochs suffice) for
 * images of 32 pixels and more; mnist-cnn for smaller ones (28×28 digits), where its valid convolutions still fit.
 */
export function defaultSuspectModel(height: number, width: number): string {
  return Math.min(height, width) >= 32 ? 'gtsrb-vgg-bn' : 'mnist-cnn';
}

/**
 * Confident learning from given out-of-sample probabilities (for `--runs` that cover every image).
 *
 * - thresholds[j] = mean of p(j) over the images labelled j (the class's average self-confidence); +Infinity for a
 *   class no image is labelled with (no image can be confidently counted in it).
 * - An image counts in the confident joint under the class, among those whose probability reaches their threshold
 *   (p_k ≥ t_k), with the highest probability; it is a suspect when that class is not its given label (the
 *   off-diagonal of the confident joint). Images with no class above threshold are not counted, hence never suspects.
 * - `suspects` holds only those off-diagonal images, ranked by score = 1 − p(given) (cleanlab's default
 *   `self_confidence` ranking), highest first; ties by higher p(suggested), then by index.
 */
export function rankLabelSuspects(probabilities: Float32Array, labels: Int32Array, numClasses: number): { suspects: LabelSuspect[]; thresholds: Float32Array } {
  const n = labels.length;
  const k = numClasses;
  if (!Number.isInteger(k) || k < 2) throw new ConvkitError(`label suspects: need at least 2 classes, got ${k}`);
  if (probabilities.length !== n * k) throw new ConvkitError(`label suspects: ${probabilities.length} probabilities for ${n} images × ${k} classes`);
  const sums = new Float64Array(k);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= k) throw new ConvkitError(`label suspects: image ${i} has label ${y}, outside 0–${k - 1}`);
    sums[y] += probabilities[i * k + y];
    counts[y]++;
  }
  const thresholds = new Float32Array(k);
  for (let j = 0; j < k; j++) thresholds[j] = counts[j] > 0 ? sums[j] / counts[j] : Infinity;
  const suspects: LabelSuspect[] = [];
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let confident = -1;
    for (let j = 0; j < k; j++) {
      const p = probabilities[row + j];
      if (p >= thresholds[j] && (confident < 0 || p > probabilities[row + confident])) confident = j;
    }
    const given = labels[i];
    if (confident >= 0 && confident !== given) suspects.push({ index: i, given, suggested: confident, score: 1 - probabilities[row + given] });
  }
  suspects.sort((a, b) => b.score - a.score || probabilities[b.index * k + b.suggested] - probabilities[a.index * k + a.suggested] || a.index - b.index);
  return { suspects, thresholds };
}

/**
 * Seeded k-fold assignment (fold per image), stratified by class: with `groups`, whole groups (GTSRB tracks) go to one
 * fold, a group counting under the class most of its images carry; without, every image is a group of its own. In each
 * class, its groups, shuffled and then largest first, go one by one to the fold holding the fewest images of that class
 * (then the fewest images, then the lowest number). Images in a negative group (unknown track) are groups of their own.
 */
export function assignFolds(labels: Int32Array, groups: Int32Array | null, folds: number, seed: number): Int32Array {
  const n = labels.length;
  const members = new Map<number, number[]>();
  const key = (i: number) => (groups && groups[i] >= 0 ? groups[i] : -1 - i);
  for (let i = 0; i < n; i++) {
    const g = key(i);
    let m = members.get(g);
    if (!m) members.set(g, (m = []));
    m.push(i);
  }
  const byClass = new Map<number, number[][]>();
  for (const m of members.values()) {
    const votes = new Map<number, number>();
    for (const i of m) votes.set(labels[i], (votes.get(labels[i]) ?? 0) + 1);
    const cls = [...votes].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
    let list = byClass.get(cls);
    if (!list) byClass.set(cls, (list = []));
    list.push(m);
  }
  const rng = new Rng(seed);
  const fold = new Int32Array(n);
  const total = new Int32Array(folds);
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const list = byClass.get(cls)!.sort((a, b) => a[0] - b[0]);
    rng.shuffle(list);
    const order = list.map((m, r) => ({ m, r })).sort((a, b) => b.m.length - a.m.length || a.r - b.r);
    const inClass = new Int32Array(folds);
    for (const { m } of order) {
      let best = 0;
      for (let f = 1; f < folds; f++) if (inClass[f] < inClass[best] || (inClass[f] === inClass[best] && total[f] < total[best])) best = f;
      for (const i of m) fold[i] = best;
      inClass[best] += m.length;
      total[best] += m.length;
    }
  }
  return fold;
}

function checkInput(input: LabelSuspectsInput, opts: LabelSuspectsOptions): void {
  const [n, h, w, c] = input.shape;
  const bad = (why: string) => new ConvkitError(`label suspects: ${why}`);
  if (![n, h, w, c].every((v) => Number.isInteger(v) && v > 0)) throw bad(`bad image shape [${input.shape.join(', ')}]`);
  if (input.x.length !== n * h * w * c) throw bad(`${input.x.length} pixel values for shape [${input.shape.join(', ')}]`);
  if (input.labels.length !== n) throw bad(`${input.labels.length} labels for ${n} images`);
  if (input.groups && input.groups.length !== n) throw bad(`${input.groups.length} groups for ${n} images`);
  if (!Number.isInteger(opts.folds) || opts.folds < 2) throw bad(`--folds must be an integer ≥ 2, got ${opts.folds}`);
  if (!Number.isInteger(opts.epochs) || opts.epochs < 1) throw bad(`--epochs must be an integer ≥ 1, got ${opts.epochs}`);
  const units = input.groups ? new Set(Array.from(input.groups, (g, i) => (g >= 0 ? g : -1 - i))).size : n;
  if (units < opts.folds) throw bad(`${units} ${input.groups ? 'groups' : 'images'} cannot fill ${opts.folds} folds`);
}

/**
 * Out-of-fold probabilities from `folds` models of `model` trained for `epochs` on the other folds (the project's
 * training loop and backend: `onednn` when it loads), each predicting only its held-out fold; then confident learning
 * on them (rankLabelSuspects). Seeded: the same input and options give the same folds, weights and ranking.
 */
export async function findLabelSuspects(input: LabelSuspectsInput, opts: LabelSuspectsOptions): Promise<LabelSuspectsResult> {
  checkInput(input, opts);
  const t0 = performance.now();
  const say = opts.onProgress ?? (() => {});
  const [n, h, w, c] = input.shape;
  const k = input.numClasses;
  const pixels = h * w * c;
  const modelName = !opts.model || opts.model === 'auto' ? defaultSuspectModel(h, w) : opts.model;
  const tf = await import('@tensorflow/tfjs-core');
  const { selectBackend } = await import('../train/backend.js');
  const { buildModel, resolveModel } = await import('../models/index.js');
  const { createOptimizer } = await import('../train/run.js');
  const { fit } = await import('../train/loop.js');
  const { makeBatch } = await import('../train/batches.js');
  const spec = await resolveModel(modelName);
  const batchSize = opts.batchSize ?? spec.defaults?.batchSize ?? DEFAULT_BATCH_SIZE;
  const backend = await selectBackend('auto', say);
  const byGroup = input.groups !== null;
  const fold = assignFolds(input.labels, input.groups, opts.folds, opts.seed);
  const probabilities = new Float32Array(n * k);
  const shape = { height: h, width: w, channels: c, numClasses: k };
  for (let f = 0; f < opts.folds; f++) {
    const trainIdx: number[] = [];
    const heldIdx: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? heldIdx : trainIdx).push(i);
    const train = gather(input, trainIdx, pixels);
    const held = gather(input, heldIdx, pixels);
    const foldSeed = (opts.seed + 1000 * (f + 1)) >>> 0;
    seedGlobalRandom(foldSeed); // weight initialisers and dropout draw from Math.random
    const model = await buildModel(modelName, { inputShape: [h, w, c], numClasses: k });
    try {
      model.compile({ optimizer: createOptimizer('adam', LEARNING_RATE), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const head = `label suspects: fold ${f + 1}/${opts.folds} (${byGroup ? 'by group' : 'by image'}; ${modelName} on ${backend}, ${train.count} training, ${held.count} held out)`;
      say(head);
      await fit({
        model,
        train,
        shape,
        epochs: opts.epochs,
        batchSize,
        seed: foldSeed,
        callbacks: [{ onEpochEnd: (epoch, logs) => say(`label suspects: fold ${f + 1}/${opts.folds} epoch ${epoch}/${opts.epochs}: loss ${logs.loss.toFixed(4)}, accuracy ${logs.accuracy.toFixed(4)}, ${logs.seconds.toFixed(1)} s`) }],
      });
      for (let start = 0; start < held.count; start += 256) {
        const end = Math.min(held.count, start + 256);
        const { xs, ys } = makeBatch(held, null, start, end, shape);
        const out = model.predict(xs) as import('@tensorflow/tfjs-core').Tensor;
        const p = (await out.data()) as Float32Array;
        tf.dispose([xs, ys, out]);
        for (let r = 0; r < end - start; r++) probabilities.set(p.subarray(r * k, (r + 1) * k), heldIdx[start + r] * k);
      }
    } finally {
      model.dispose();
      unseedGlobalRandom();
    }
  }
  const { suspects, thresholds } = rankLabelSuspects(probabilities, input.labels, k);
  return { suspects, probabilities, thresholds, folds: opts.folds, byGroup, seconds: (performance.now() - t0) / 1000 };
}

function gather(input: LabelSuspectsInput, idx: number[], pixels: number): ImageSplit {
  const x = new Float32Array(idx.length * pixels);
  const y = new Int32Array(idx.length);
  idx.forEach((j, r) => {
    x.set(input.x.subarray(j * pixels, (j + 1) * pixels), r * pixels);
    y[r] = input.labels[j];
  });
  return { x, y, count: idx.length };
}
