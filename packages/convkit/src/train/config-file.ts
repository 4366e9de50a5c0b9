import { ConvkitError } from '../util/errors.js';
import { z } from 'zod';
import { camelKey, camelKeys, parseConfigWith, readConfigFile, type ConfigFile } from '../util/config-file.js';
import { PrepareBlockSchema, type PrepareBlock } from '../prepare/cache.js';
import { parseTrainOptions, type TrainConfigInput } from './config.js';

export interface TrainConfigFile {
  file: string;
  /** The `train:` block: only the keys it sets. */
  train: Partial<TrainConfigInput>;
  /** The `prepare:` block, used when the data is a GTSRB folder. */
  prepare?: PrepareBlock;
  /** The `ensemble:` block: members trained as parallel processes (docs/ensembles.md). */
  ensemble?: EnsembleBlock;
  /** The `evaluate:` block: test-time augmentation tried on validation after training. */
  evaluate?: EvaluateBlock;
}

export interface EnsembleBlock {
  /** Each a partial `train:` block laid over the file's `train:` block. */
  members: Partial<TrainConfigInput>[];
  /** Member processes at once (default: the number of cores). */
  parallel?: number;
}

export interface EvaluateBlock {
  /** Transforms averaged at test time when not lower on validation (0: none). */
  tta: number;
}

/** Settings every member shares (the data and its split), so they are set in the `train:` block only. */
export const SHARED_MEMBER_KEYS = ['out', 'data', 'validation', 'limitTrain', 'limitTest', 'splitSeed', 'force'] as const;

const TOP_KEYS = ['train', 'prepare', 'ensemble', 'evaluate', 'description'];

/**
 * `convkit train --config FILE` (YAML or JSON): a `train:` block (TrainConfigSchema's keys, as the command line's
 * options or in camelCase), an optional `prepare:` block (size, mode, roi, test, seed, exclude), optional `ensemble:`
 * and `evaluate:` blocks (docs/ensembles.md) and a free `description`.
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
  const ensemble = d.ensemble === undefined || d.ensemble === null ? undefined : parseEnsembleBlock(d.ensemble, cfg);
  const evaluate = d.evaluate === undefined || d.evaluate === null ? undefined : parseConfigWith(EvaluateBlockSchema, d.evaluate, cfg, ['evaluate']);
  return { file, train, prepare, ...(ensemble ? { ensemble } : {}), ...(evaluate ? { evaluate } : {}) };
}

const count = (what: string, min: number) => z.number({ error: `must be an integer >= ${min} (${what})` }).int({ error: `must be an integer >= ${min} (${what})` }).min(min, { error: `must be an integer >= ${min} (${what})` });

const EvaluateBlockSchema = z.strictObject({ tta: count('transforms averaged at test time; 0 = none', 0) }, { error: (iss) => (iss.code === 'unrecognized_keys' ? 'unknown key (expected tta)' : 'expected a mapping with tta') });

function parseEnsembleBlock(value: unknown, cfg: ConfigFile): EnsembleBlock {
  const at = (...keys: (string | number)[]) => ({ file: cfg.file, line: cfg.lineOf(['ensemble', ...keys]) });
  if (typeof value !== 'object' || Array.isArray(value) || value === null) throw new ConvkitError('ensemble: expected a mapping (members, parallel)', at());
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) if (k !== 'members' && k !== 'parallel') throw new ConvkitError(`ensemble.${k}: unknown key (expected members, parallel)`, at(k));
  if (!Array.isArray(v.members) || v.members.length === 0) throw new ConvkitError('ensemble.members: expected a list of one or more members (each a partial train: block, e.g. { seed: 1 })', at('members'));
  const members = v.members.map((m, i) => {
    if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new ConvkitError(`ensemble.members.${i}: expected a mapping of train options (e.g. { seed: 1 })`, at('members', i));
    const parsed = parseTrainOptions(m, cfg, ['ensemble', 'members', i]);
    const shared = SHARED_MEMBER_KEYS.find((k) => k in parsed);
    if (shared) {
      const written = Object.keys(m).find((k) => camelKey(k) === shared) ?? shared;
      throw new ConvkitError(`ensemble.members.${i}.${written}: set in the train: block for every member (members share the data and its split)`, at('members', i, written));
    }
    return parsed as Partial<TrainConfigInput>;
  });
  let parallel: number | undefined;
  if (v.parallel !== undefined) parallel = parseConfigWith(count('member processes at once', 1), v.parallel, cfg, ['ensemble', 'parallel']);
  return { members, ...(parallel !== undefined ? { parallel } : {}) };
}
