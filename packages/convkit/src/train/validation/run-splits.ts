import type { RunConfigFile } from '../../run/config.js';
import { selectSplit, pixelsPerImage, type ImageDataset, type ImageSplit } from '../../datasets/types.js';
import { resolveCountOrPercent, type CountOrPercent } from '../../util/option-table.js';
import { stratifiedSubset } from '../../util/rng.js';
import { chooseValidation, type ValidationChoice, type ValidationSetting } from './select.js';

/** What of a run's settings decides its data split (config.json holds them all). */
export interface SplitSettings {
  seed: number;
  /** Absent in runs written before 2026-12-05 and when not given: the split follows `seed`. */
  splitSeed?: number;
  limitTrain?: CountOrPercent;
  limitTest?: number;
  validation: ValidationSetting;
}

/** The seed the split is drawn with. */
export const splitSeedOf = (s: Pick<SplitSettings, 'seed' | 'splitSeed'>): number => s.splitSeed ?? s.seed;

/** The test images a run with `--limit-test` scores on: the same stratified subset in `train`, `evaluate` and `report`. */
export function limitTestSplit(test: ImageSplit, limitTest: number | undefined, seed: number, pixels: number): ImageSplit {
  if (!limitTest || limitTest >= test.count) return test;
  return selectSplit(test, stratifiedSubset(test.y, limitTest / test.count, seed + 1), pixels);
}

/**
 * A run's training, validation and test images, a pure function of its data and settings: what `train` trained and
 * validated on, rebuilt the same by `evaluate --split validation` and ensembles from the run's config.json.
 */
export function runSplits(s: SplitSettings, dataset: ImageDataset): { train: ImageSplit; test: ImageSplit } & Omit<ValidationChoice, 'train'> {
  const seed = splitSeedOf(s);
  const pixels = pixelsPerImage(dataset);
  let train = dataset.train;
  const keep = s.limitTrain === undefined ? train.count : resolveCountOrPercent(s.limitTrain, train.count);
  if (keep < train.count) train = selectSplit(train, stratifiedSubset(train.y, keep / train.count, seed), pixels);
  const test = limitTestSplit(dataset.test, s.limitTest, seed, pixels);
  return { ...chooseValidation(s.validation, train, test, seed + 2, pixels), test };
}

/** The split settings a run's config.json recorded (runs that predate `validation` validated as `auto` does on resume). */
export function savedSplitSettings(cfg: RunConfigFile): SplitSettings {
  return { seed: cfg.seed, splitSeed: cfg.splitSeed, limitTrain: cfg.limitTrain as SplitSettings['limitTrain'], limitTest: cfg.limitTest, validation: (cfg.validation ?? 'auto') as ValidationSetting };
}
