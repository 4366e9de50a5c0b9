import type { Command } from 'commander';
import { PrepareBlockSchema } from '../prepare/cache.js';
import { readTrainConfigFile, type TrainConfigFile } from '../train/config-file.js';
import { resolvePreparedData } from '../train/prepared-data.js';
import type { TrainConfigInput } from '../train/config.js';
import { optionError } from '../util/errors.js';
import { parseWith } from '../util/schema.js';
import { AugmentSchema } from '../train/augment/schema.js';
import { AugmentClassesSchema } from '../train/sampling/schema.js';
import { TRAIN_OPTIONS, trainDefault } from '../train/options.js';
import { attributeOf } from '../util/option-table.js';

/**
 * The train settings of `convkit train`: the config file's `train:` block, overridden by every option given on the
 * command line (defaults of options not given come from the schema, so they never override the file); a GTSRB
 * folder as data is prepared with the file's `prepare:` block (once, also for an `ensemble:` block's members).
 */
export async function trainInputFromCli(o: Record<string, unknown>, cmd: Command): Promise<{ input: TrainConfigInput; provenance?: Record<string, unknown>; recipe?: TrainConfigFile }> {
  const file = typeof o.config === 'string' ? await readTrainConfigFile(o.config) : undefined;
  const given: Record<string, unknown> = {};
  for (const opt of TRAIN_OPTIONS) {
    const attr = attributeOf(opt);
    if (cmd.getOptionValueSource(attr) === 'cli' || (!file && o[attr] !== undefined)) given[opt.key] = o[attr];
  }
  if (typeof given.augment === 'string') given.augment = parseWith(AugmentSchema, given.augment, 'option --augment');
  if (given.augmentClasses !== undefined) parseWith(AugmentClassesSchema, given.augmentClasses, 'option --augment-classes');
  const merged = { ...(file?.train ?? {}), ...given } as Partial<TrainConfigInput>;
  const membersNameModels = !!file?.ensemble?.members.every((m) => m.model);
  if (!merged.model && !membersNameModels) throw optionError('--model', `required (or --resume DIR${file ? `, or model in ${file.file}'s train: block` : ''})`);
  if (!merged.out) throw optionError('--out', `required (or --resume DIR${file ? `, or out in ${file.file}'s train: block` : ''})`);
  const testRoot = o.testRoot === undefined ? undefined : parseWith(PrepareBlockSchema.shape.test, o.testRoot, 'option --test-root');
  const prepare = testRoot !== undefined ? { ...(file?.prepare ?? missingPrepareBlock(file?.file)), test: testRoot } : file?.prepare;
  const prepared = await resolvePreparedData(merged.data ?? trainDefault('data'), prepare);
  if (testRoot !== undefined && !prepared) throw optionError('--test-root', 'names the test images of a GTSRB folder given as --data (gtsrb:ROOT)');
  const input = { ...merged, data: prepared?.file ?? merged.data } as TrainConfigInput;
  const provenance = file || prepared ? { configFile: file?.file, ...(prepared ? { prepared } : {}) } : undefined;
  return { input, provenance, recipe: file };
}

/** --test-root only changes a prepared GTSRB set: without a prepare: block there is none. */
function missingPrepareBlock(file: string | undefined): never {
  throw optionError('--test-root', `needs a prepare: block (size, mode, …) in ${file ?? 'a --config file'}: the test images go into the prepared set`);
}
