import { loadDataset } from '../datasets/index.js';
import type { ImageSplit } from '../datasets/types.js';
import { loadPredictor, type Predictor } from '../inference/predictor.js';
import { readRunConfig, type RunConfigFile } from '../run/config.js';
import { isFinishedRun } from '../run/dir.js';
import { runFiles } from '../run/layout.js';
import { selectBackend } from '../train/backend.js';
import type { BatchShape } from '../train/batches.js';
import type { BatchPredict } from '../train/evaluate.js';
import { runSplits, savedSplitSettings, splitSeedOf } from '../train/validation/run-splits.js';
import type { ValidationChoice } from '../train/validation/select.js';
import { ConvkitError } from '../util/errors.js';

export type SplitName = 'test' | 'validation';

/** Trained runs opened together: their predictors, shared shape and data, and the average of their probabilities. */
export interface OpenedMembers {
  dirs: string[];
  configs: RunConfigFile[];
  shape: BatchShape;
  /** The members' probabilities averaged (one member: its own). */
  predict: BatchPredict;
  engines: string[];
  backend: string;
  /** The members' test split and held-out validation split, rebuilt from their config.json. */
  splits: { test: ImageSplit; validation: ImageSplit; validationKind: ValidationChoice['kind']; validationNote?: string };
  classNames?: string[];
  dispose(): void;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Opens finished runs as one ensemble (each with the weights its result was scored with, as `evaluate` does). Refuses,
 * in one line naming the member, runs that are not finished, or whose input shape, class count, test images or
 * (for `split: 'validation'`) held-out images differ from the first one's.
 */
export async function openMembers(dirs: string[], opts: { backend?: string; split?: SplitName; log?: (m: string) => void } = {}): Promise<OpenedMembers> {
  if (!dirs.length) throw new ConvkitError('an ensemble needs at least one run');
  const configs: RunConfigFile[] = [];
  for (const d of dirs) {
    configs.push(await readRunConfig(d));
    if (!(await isFinishedRun(d))) throw new ConvkitError(`not a finished run (no ${runFiles(d).result}): an ensemble takes trained members`, { file: d });
  }
  const first = configs[0];
  for (const [i, c] of configs.entries()) {
    if (i === 0) continue;
    const differs = (what: string) => new ConvkitError(`${what} differs from ${dirs[0]}'s: ensemble members must share it`, { file: runFiles(dirs[i]).config });
    if (c.data !== first.data) throw differs(`data ("${c.data}")`);
    if (!same(c.limitTest, first.limitTest) || (first.limitTest !== undefined && splitSeedOf(c) !== splitSeedOf(first))) throw differs('the test set (limitTest / split seed)');
    if (opts.split === 'validation') {
      const [a, b] = [savedSplitSettings(c), savedSplitSettings(first)];
      if (!same(a.limitTrain, b.limitTrain) || !same(a.validation, b.validation) || splitSeedOf(a) !== splitSeedOf(b)) throw differs('the held-out validation split (validation, limitTrain, seed or splitSeed)');
    }
  }
  const backend = await selectBackend(opts.backend ?? 'auto', opts.log);
  const predictors: Predictor[] = [];
  const dispose = () => predictors.forEach((p) => p.dispose());
  try {
    for (const d of dirs) {
      const p = await loadPredictor(d, { backend: opts.backend });
      predictors.push(p);
      const p0 = predictors[0];
      if (p.inputShape.join('×') !== p0.inputShape.join('×')) throw new ConvkitError(`takes ${p.inputShape.join('×')} images, ${dirs[0]} ${p0.inputShape.join('×')}: ensemble members must share the input shape`, { file: d });
      if (p.numClasses !== p0.numClasses) throw new ConvkitError(`has ${p.numClasses} classes, ${dirs[0]} ${p0.numClasses}: ensemble members must share the classes`, { file: d });
    }
    const [h, w, c] = predictors[0].inputShape;
    const shape = { height: h, width: w, channels: c, numClasses: predictors[0].numClasses };
    const dataset = await loadDataset(first.data, { seed: first.seed });
    if (dataset.height !== h || dataset.width !== w || dataset.channels !== c) {
      throw new ConvkitError(`images are ${dataset.height}×${dataset.width}×${dataset.channels} but the models expect ${h}×${w}×${c}`, { file: first.data });
    }
    const s = runSplits(savedSplitSettings(first), dataset);
    const predict: BatchPredict = (x, n) => {
      if (predictors.length === 1) return predictors[0].predict(x, n);
      const sum = Float32Array.from(predictors[0].predict(x, n));
      for (const p of predictors.slice(1)) {
        const q = p.predict(x, n);
        for (let i = 0; i < sum.length; i++) sum[i] += q[i];
      }
      for (let i = 0; i < sum.length; i++) sum[i] /= predictors.length;
      return sum;
    };
    return {
      dirs, configs, shape, predict, backend,
      engines: predictors.map((p) => p.engine),
      splits: { test: s.test, validation: s.validation, validationKind: s.kind, validationNote: s.note },
      classNames: dataset.classNames ?? first.dataset?.classNames,
      dispose,
    };
  } catch (e) {
    dispose();
    throw e;
  }
}
