import type { z } from 'zod';
import { ConvkitError } from '../util/errors.js';
import { camelKeys, parseConfigWith, type ConfigFile } from '../util/config-file.js';
import { schemaFromTable } from '../util/schema.js';
import { TRAIN_OPTIONS } from './options.js';
import { attributeOf } from '../util/option-table.js';
import { AugmentSchema } from './augment/schema.js';
import { AugmentClassesSchema } from './sampling/schema.js';

/**
 * Everything `convkit train` needs; the CLI, config files, batch jobs and the web UI parse through this one schema,
 * built from the table of options (options.ts), where each option's help, default and checks are declared.
 */
export const TrainConfigSchema = schemaFromTable(TRAIN_OPTIONS, { augment: AugmentSchema, augmentClasses: AugmentClassesSchema });

export type TrainConfigInput = z.input<typeof TrainConfigSchema>;
export type TrainConfig = z.output<typeof TrainConfigSchema>;

export { DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS, DEFAULT_LR } from './options.js';

/** `tbBatches` (from `tb-batches`) → `tensorboardBatches`: config files may use every option's command-line name. */
const FLAG_ALIASES: Record<string, string> = Object.fromEntries(TRAIN_OPTIONS.filter((o) => attributeOf(o) !== o.key).map((o) => [attributeOf(o), o.key]));

/**
 * The `train:` block of a config file (`convkit train --config`, recipes, batch files): any of TrainConfigSchema's
 * keys, written as the command line's options (`batch-size`, `tb-batches`) or as the schema's camelCase keys, none required, unknown keys refused.
 * Returns only the keys the block sets (no defaults), so that command-line flags and other blocks can still override.
 */
export function parseTrainOptions(value: unknown, cfg: ConfigFile, keys: readonly (string | number)[] = []): Partial<TrainConfig> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConvkitError(`${keys.join('.') || 'train'}: expected a mapping of train options`, { file: cfg.file, line: cfg.lineOf(keys) });
  const { value: camel, original } = camelKeys(value as Record<string, unknown>, cfg, keys, FLAG_ALIASES);
  const parsed = parseConfigWith(TrainConfigSchema.partial().strict(), camel, cfg, keys, original) as Record<string, unknown>;
  return Object.fromEntries(Object.keys(camel).map((k) => [k, parsed[k]])) as Partial<TrainConfig>;
}
