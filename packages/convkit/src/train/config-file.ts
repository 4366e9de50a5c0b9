import { ConvkitError } from '../util/errors.js';
import { parseConfigWith, readConfigFile, camelKeys } from '../util/config-file.js';
import { PrepareBlockSchema, type PrepareBlock } from '../prepare/cache.js';
import { parseTrainOptions, type TrainConfigInput } from './config.js';

export interface TrainConfigFile {
  file: string;
  /** The `train:` block: only the keys it sets. */
  train: Partial<TrainConfigInput>;
  /** The `prepare:` block, used when the data is a GTSRB folder. */
  prepare?: PrepareBlock;
}

const TOP_KEYS = ['train', 'prepare', 'description'];

/**
 * `convkit train --config FILE` (YAML or JSON): a `train:` block (TrainConfigSchema's keys, as the command line's
 * options or in camelCase), an optional `prepare:` block (size, mode, roi, test, seed, exclude) and a free `description`.
 */
export async function readTrainConfigFile(file: string): Promise<TrainConfigFile> {
  const cfg = await readConfigFile(file);
  const data = cfg.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new ConvkitError('expected a mapping with a train: block (and optionally prepare:)', { file, line: 1 });
  for (const k of Object.keys(data)) {
    if (!TOP_KEYS.includes(k)) throw new ConvkitError(`${k}: unknown key (expected ${TOP_KEYS.join(', ')})`, { file, line: cfg.lineOf([k]) });
  }
  const d = data as Record<string, unknown>;
  const train = parseTrainOptions(d.train, cfg, ['train']);
  let prepare: PrepareBlock | undefined;
  if (d.prepare !== undefined && d.prepare !== null) {
    if (typeof d.prepare !== 'object' || Array.isArray(d.prepare)) throw new ConvkitError('prepare: expected a mapping (size, mode, roi, test, seed, exclude)', { file, line: cfg.lineOf(['prepare']) });
    const { value, original } = camelKeys(d.prepare as Record<string, unknown>, cfg, ['prepare']);
    prepare = parseConfigWith(PrepareBlockSchema, value, cfg, ['prepare'], original);
  }
  return { file, train, prepare };
}
