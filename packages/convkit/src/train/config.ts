import { z } from 'zod';
import { ConvkitError } from '../util/errors.js';
import { camelKeys, parseConfigWith, type ConfigFile } from '../util/config-file.js';
import { LR_SCHEDULES } from './schedules/index.js';
import { AugmentSchema } from './augment/schema.js';

/** Everything `convkit train` needs; the CLI, batch files and the web UI parse through this one schema. */
export const TrainConfigSchema = z.object({
  model: z.string().min(1),
  data: z.string().min(1).default('mnist:embedded'),
  out: z.string().min(1),
  epochs: z.number().int().positive().optional(),
  batchSize: z.number().int().positive().optional(),
  optimizer: z.enum(['adam', 'sgd', 'rmsprop']).default('adam'),
  lr: z.number().positive().finite().optional(),
  seed: z.number().int().nonnegative().default(42),
  /**
   * auto: 10 % of the tracks of a GTSRB set (whole tracks), the test set for sets without tracks; 'test' validates on
   * the test set (Fidle's habit, noted in result.json); a number in (0, 1) holds out that fraction of train (whole
   * tracks when the set records them).
   */
  validation: z.union([z.literal('auto'), z.literal('test'), z.number().gt(0).lt(1)]).default('auto'),
  backend: z.string().default('auto'),
  force: z.boolean().default(false),
  /** Train on at most this many training images (a quick look, or CI). */
  limitTrain: z.number().int().positive().optional(),
  limitTest: z.number().int().positive().optional(),
  /** Metric that decides `checkpoints/best/`; mode auto = max for accuracies, min for losses. */
  checkpointMonitor: z.string().min(1).default('val_accuracy'),
  checkpointMode: z.enum(['auto', 'min', 'max']).default('auto'),
  /** Also keep `checkpoints/epoch-NNN/` every N epochs. */
  saveEvery: z.number().int().positive().optional(),
  /** EarlyStopping patience (epochs without improvement of earlyStopMonitor); off when absent. */
  earlyStop: z.number().int().positive().optional(),
  earlyStopMonitor: z.string().min(1).default('val_loss'),
  /** Smallest change that counts as an improvement (early stopping). */
  minDelta: z.number().nonnegative().default(0),
  /** On early stop, go back to the weights of the best epoch. */
  restoreBest: z.boolean().default(false),
  /** ReduceLROnPlateau patience on reduceLrMonitor; off when absent. */
  reduceLr: z.number().int().positive().optional(),
  reduceLrMonitor: z.string().min(1).default('val_loss'),
  reduceLrFactor: z.number().gt(0).lt(1).default(0.1),
  minLr: z.number().nonnegative().default(0),
  /** Learning-rate schedule, applied per step (train/schedules/): constant, cosine (warmup then cosine decay to minLr), one-cycle, step. */
  lrSchedule: z.enum(LR_SCHEDULES).default('constant'),
  /** cosine: epochs of linear warmup from 0; one-cycle: epochs of the rising phase (default 30 % of the run). */
  warmupEpochs: z.number().nonnegative().optional(),
  /** step: decay every this many epochs, by stepFactor. */
  stepEvery: z.number().int().positive().default(10),
  stepFactor: z.number().gt(0).lt(1).default(0.5),
  /** Label smoothing ε of the categorical cross-entropy (targets y·(1 − ε) + ε/K). */
  labelSmoothing: z.number().min(0).lt(1).default(0),
  /** Decoupled weight decay of the conv and dense kernels (Adam → AdamW), per step: w ← w·(1 − lr·wd). */
  weightDecay: z.number().nonnegative().default(0),
  /** TensorBoard event files under tb/train and tb/validation. */
  tensorboard: z.boolean().default(false),
  tensorboardBatches: z.boolean().default(false),
  tensorboardHistograms: z.boolean().default(false),
  /** On-the-fly augmentation (train/augment/schema.ts): an object, a preset (`fidle`) or `rotation=10,zoom=0.2,…`. */
  augment: AugmentSchema,
  /** auto: a bar on a terminal, one line per epoch otherwise. */
  progress: z.enum(['auto', 'bar', 'lines', 'none']).default('auto'),
});

export type TrainConfigInput = z.input<typeof TrainConfigSchema>;
export type TrainConfig = z.output<typeof TrainConfigSchema>;

export const DEFAULT_EPOCHS = 16;
export const DEFAULT_BATCH_SIZE = 512;
export const DEFAULT_LR: Record<TrainConfig['optimizer'], number> = { adam: 0.001, sgd: 0.01, rmsprop: 0.001 };

/**
 * The `train:` block of a config file (`convkit train --config`, recipes, batch files): any of TrainConfigSchema's
 * keys, written as the command line's options (`batch-size`) or in camelCase, none required, unknown keys refused.
 * Returns only the keys the block sets (no defaults), so that command-line flags and other blocks can still override.
 */
export function parseTrainOptions(value: unknown, cfg: ConfigFile, keys: readonly (string | number)[] = []): Partial<TrainConfig> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConvkitError(`${keys.join('.') || 'train'}: expected a mapping of train options`, { file: cfg.file, line: cfg.lineOf(keys) });
  const { value: camel, original } = camelKeys(value as Record<string, unknown>, cfg, keys);
  const parsed = parseConfigWith(TrainConfigSchema.partial().strict(), camel, cfg, keys, original) as Record<string, unknown>;
  return Object.fromEntries(Object.keys(camel).map((k) => [k, parsed[k]])) as Partial<TrainConfig>;
}
