import { readRunResult } from '../../run/result.js';
import { runFiles } from '../../run/layout.js';
import { isActive } from '../augment/schema.js';
import type { TrainConfig } from '../config.js';
import { ConvkitError, optionError } from '../../util/errors.js';

/**
 * The class weights of a fresh run's `--sampling` (undefined for uniform): 1 for every class (balanced), or
 * (1 − recall) + floor from `--sampling-from RUN`'s val_per_class (errors; a class absent from that run's validation
 * gets the mean 1 − recall). They are written into config.json, so a resume never reads RUN again.
 */
export async function samplingWeights(cfg: Pick<TrainConfig, 'sampling' | 'samplingFrom' | 'samplingFloor'>, numClasses: number): Promise<number[] | undefined> {
  if (cfg.sampling !== 'errors') {
    if (cfg.samplingFrom !== undefined) throw optionError('--sampling-from', 'only with --sampling errors');
    return cfg.sampling === 'balanced' ? new Array<number>(numClasses).fill(1) : undefined;
  }
  if (cfg.samplingFrom === undefined) throw optionError('--sampling-from', 'required with --sampling errors: the finished run whose validation errors to act on');
  const file = runFiles(cfg.samplingFrom).result;
  const r = await readRunResult(cfg.samplingFrom);
  if (r.validation?.kind === 'test') throw new ConvkitError('--sampling-from: this run validated on the test set; acting on its errors would tune on the test set', { file });
  const per = r.val_per_class;
  if (!Array.isArray(per)) throw new ConvkitError('--sampling-from: no val_per_class (a run written before convkit recorded it): train it again, or use --sampling balanced', { file });
  if (per.length !== numClasses) throw new ConvkitError(`--sampling-from: val_per_class has ${per.length} classes, the data ${numClasses}`, { file });
  const recalls = per.map((c, i) => {
    const ok = c !== null && typeof c === 'object' && c.class === i && (c.recall === null || (typeof c.recall === 'number' && c.recall >= 0 && c.recall <= 1));
    if (!ok) throw new ConvkitError(`--sampling-from: val_per_class[${i}]: expected {class: ${i}, count, recall: a number in [0, 1] or null}`, { file });
    return c.recall;
  });
  const known = recalls.filter((x): x is number => x !== null);
  const meanMiss = known.length ? known.reduce((s, x) => s + (1 - x), 0) / known.length : 0;
  return recalls.map((x) => (x === null ? meanMiss : 1 - x) + cfg.samplingFloor);
}

/** `--augment-classes` as a set, checked against the data and `--augment` (undefined when not given). */
export function strongerAugmentClasses(cfg: Pick<TrainConfig, 'augment' | 'augmentClasses'>, numClasses: number): Set<number> | undefined {
  if (cfg.augmentClasses === undefined) return undefined;
  if (!isActive(cfg.augment)) throw optionError('--augment-classes', 'needs --augment (it scales its magnitudes for those classes)');
  const bad = cfg.augmentClasses.find((c) => c >= numClasses);
  if (bad !== undefined) throw optionError('--augment-classes', `class ${bad} is not a class of the data (0–${numClasses - 1})`);
  return new Set(cfg.augmentClasses);
}

/** config.json's samplingWeights for a resumed run whose --sampling is not uniform: one positive number per class. */
export function savedSamplingWeights(saved: Record<string, unknown>, sampling: TrainConfig['sampling'], numClasses: number, configFile: string): number[] | undefined {
  if (sampling === 'uniform') return undefined;
  const w = saved.samplingWeights;
  if (!Array.isArray(w) || w.length !== numClasses || !w.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0) || !w.some((x) => x > 0)) {
    throw new ConvkitError(`samplingWeights: expected ${numClasses} non-negative numbers (the class weights of --sampling ${sampling}, written when the run started)`, { file: configFile });
  }
  return w as number[];
}
