import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isModelFile, readTopologyFile } from '../models/user-model.js';
import { listModels } from '../models/index.js';
import { parseTrainOptions, type TrainConfigInput } from '../train/config.js';
import { camelKey, camelKeys, parseConfigWith, readConfigFile, type ConfigFile } from '../util/config-file.js';
import { ConvkitError, optionError } from '../util/errors.js';

/** Most jobs one config may expand to (a typo in a grid should not queue a million runs). */
export const MAX_JOBS = 10_000;

/** Values that end up in an sbatch script are checked against these before they are quoted. */
const SLURM_TIME = /^(\d+-\d{1,2}(:\d{2}){0,2}|\d+(:\d{2}){0,2})$/;
const SLURM_MEM = /^\d+[KMGT]?$/;
const SLURM_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** One extra `#SBATCH` option: `--key` or `--key=value`, value without spaces, quotes or shell characters. */
const SLURM_EXTRA = /^--[a-z][a-z0-9-]*(=[A-Za-z0-9_.,:@%/+=-]+)?$/;

const SlurmSchema = z
  .object({
    cpusPerTask: z.number().int().positive().max(1024).optional(),
    time: z.string().regex(SLURM_TIME, 'expected a Slurm time limit: MINUTES, HH:MM:SS or D-HH[:MM[:SS]]').optional(),
    mem: z.string().regex(SLURM_MEM, 'expected a memory size such as 4G or 4000M').optional(),
    partition: z.string().regex(SLURM_NAME, 'expected a partition name (letters, digits, _ . -)').optional(),
    account: z.string().regex(SLURM_NAME, 'expected an account name (letters, digits, _ . -)').optional(),
    /** At most this many array tasks at once (`--array=0-N%max`). */
    maxRunning: z.number().int().positive().optional(),
    /** Extra `#SBATCH` lines, each one option (`--qos=normal`). */
    extra: z.array(z.string().regex(SLURM_EXTRA, 'expected one sbatch option such as --qos=normal (no spaces or quotes)')).default([]),
  })
  .strict();

const NAME = z.string().regex(SLURM_NAME, 'expected a name of letters, digits, _ . - (at most 64)');

const BatchFileSchema = z
  .object({
    name: NAME,
    out: z.string().min(1),
    datasets: z.array(z.string().min(1)).min(1, 'expected at least one dataset'),
    models: z.array(z.string().min(1)).min(1, 'expected at least one model'),
    train: z.unknown().optional(),
    grid: z.record(z.string(), z.unknown()).optional(),
    repeats: z.number().int().positive().default(1),
    slurm: z.unknown().optional(),
  })
  .strict();

export type SlurmOptions = z.output<typeof SlurmSchema>;

/** A dataset or model of the batch: what convkit train is given, and the short label tables show. */
export interface BatchItem {
  /** As `--data`/`--model` receives it: a source name, or an absolute path. */
  spec: string;
  label: string;
  /** Content hash of a model file (so that editing the file makes new jobs). */
  sha256?: string;
}

/** A batch config with every path resolved and every value checked; plan.ts expands it into jobs. */
export interface BatchConfig {
  file: string;
  name: string;
  out: string;
  datasets: BatchItem[];
  models: BatchItem[];
  train: Partial<TrainConfigInput>;
  /** Option name (camelCase) → the values to try, in order. */
  grid: [string, unknown[]][];
  repeats: number;
  slurm: SlurmOptions;
}

/** Keys the batch sets itself for every job. */
const BATCH_OWNED = new Map([
  ['out', 'each job writes OUT/runs/<id>; set `out` at the top level'],
  ['model', 'use `models`'],
  ['data', 'use `datasets`'],
  ['force', 'a batch never overwrites a finished run'],
]);

const SOURCE_NAMES = ['mnist:embedded', 'mnist', 'fashion-mnist'];

function fail(cfg: ConfigFile, keys: (string | number)[], reason: string): never {
  throw new ConvkitError(`${keys.join('.')}: ${reason}`, { file: cfg.file, line: cfg.lineOf(keys) });
}

/** `--set train.epochs=2`: YAML-typed value put at a dotted key before validation. */
export function applySets(data: unknown, sets: readonly string[]): unknown {
  const root = (data && typeof data === 'object' ? structuredClone(data) : {}) as Record<string, unknown>;
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw optionError('--set', `expected KEY=VALUE such as train.epochs=2, got "${s}"`);
    const keys = s.slice(0, eq).split('.');
    if (keys.some((k) => !/^[A-Za-z][A-Za-z0-9_-]*$/.test(k))) throw optionError('--set', `bad key "${s.slice(0, eq)}"`);
    let value: unknown;
    try {
      value = parseYaml(s.slice(eq + 1));
    } catch (e) {
      throw optionError('--set', `${s.slice(0, eq)}: not a YAML value (${(e as Error).message.split('\n')[0]})`);
    }
    let node = root;
    for (const k of keys.slice(0, -1)) {
      if (!node[k] || typeof node[k] !== 'object' || Array.isArray(node[k])) node[k] = {};
      node = node[k] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]] = value ?? null;
  }
  return root;
}

function labelOf(spec: string): string {
  return path.basename(spec).replace(/\.(h5|hdf5|json|js|mjs|ts|mts)$/i, '');
}

async function statKind(p: string): Promise<'file' | 'dir' | null> {
  try {
    return (await fs.stat(p)).isDirectory() ? 'dir' : 'file';
  } catch {
    return null;
  }
}

async function resolveDataset(cfg: ConfigFile, base: string, value: string, i: number, opts: ResolveOptions): Promise<BatchItem> {
  if (SOURCE_NAMES.includes(value)) return { spec: value, label: value };
  const gtsrb = value.startsWith('gtsrb:');
  const p = path.resolve(base, gtsrb ? value.slice('gtsrb:'.length) : value);
  const kind = await statKind(p);
  const missing = `not found: ${p} (a file, a folder, or one of ${SOURCE_NAMES.join(', ')}, gtsrb:ROOT)`;
  if (!kind && opts.onMissingDataset) {
    // `batch plan` lists the jobs of a dataset still to be prepared; running them is refused below.
    opts.onMissingDataset(new ConvkitError(`datasets.${i}: ${missing}`, { file: cfg.file, line: cfg.lineOf(['datasets', i]) }));
    return { spec: gtsrb ? `gtsrb:${p}` : p, label: labelOf(p) };
  }
  if (!kind) fail(cfg, ['datasets', i], missing);
  if (gtsrb && kind !== 'dir') fail(cfg, ['datasets', i], `gtsrb: expects a folder, ${p} is a file`);
  return { spec: gtsrb ? `gtsrb:${p}` : p, label: labelOf(p) };
}

async function resolveModelItem(cfg: ConfigFile, base: string, value: string, i: number): Promise<BatchItem> {
  if (listModels().some((m) => m.name === value)) return { spec: value, label: value };
  if (!isModelFile(value)) fail(cfg, ['models', i], `unknown model "${value}" (known: ${listModels().map((m) => m.name).join(', ')}, or a model file: .json topology, .js/.ts builder)`);
  const p = path.resolve(base, value);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(p);
  } catch {
    fail(cfg, ['models', i], `model file not found: ${p}`);
  }
  if (path.extname(p).toLowerCase() === '.json') {
    try {
      await readTopologyFile(p);
    } catch (e) {
      fail(cfg, ['models', i], `${p}: ${(e as ConvkitError).reason ?? (e as Error).message}`);
    }
  }
  return { spec: p, label: labelOf(p), sha256: createHash('sha256').update(bytes).digest('hex') };
}

function checkOwned(cfg: ConfigFile, keys: string[], options: Record<string, unknown>, written: Record<string, unknown>): void {
  for (const k of Object.keys(written)) {
    const camel = camelKey(k);
    const why = BATCH_OWNED.get(camel);
    if (why && camel in options) fail(cfg, [...keys, k], `set by the batch (${why})`);
  }
}

/** Validates a parsed config (data from the file, with `--set` values applied); paths are resolved against `base`. */
export interface ResolveOptions {
  /** Called for each dataset path that does not exist, instead of failing (`batch plan` only: it lists the jobs). */
  onMissingDataset?: (e: ConvkitError) => void;
}

export async function resolveBatchConfig(cfg: ConfigFile, base: string, opts: ResolveOptions = {}): Promise<BatchConfig> {
  const top = parseConfigWith(BatchFileSchema, cfg.data, cfg);

  const train = parseTrainOptions(top.train, cfg, ['train']) as Record<string, unknown>;
  if (top.train && typeof top.train === 'object') checkOwned(cfg, ['train'], train, top.train as Record<string, unknown>);

  const grid: [string, unknown[]][] = [];
  for (const [key, values] of Object.entries(top.grid ?? {})) {
    if (!Array.isArray(values)) fail(cfg, ['grid', key], 'expected a list of values');
    if (values.length === 0) fail(cfg, ['grid', key], 'expected at least one value');
    const parsed = values.map((v, i) => {
      const one = parseTrainOptions({ [key]: v }, { ...cfg, lineOf: (k) => cfg.lineOf(k.length > 2 ? k : ['grid', key, i]) }, ['grid']);
      checkOwned(cfg, ['grid'], one, { [key]: v });
      return Object.entries(one)[0];
    });
    const camel = parsed[0][0];
    if (camel in train) fail(cfg, ['grid', key], `also set in train: (a grid axis replaces it; remove one)`);
    if (grid.some(([k]) => k === camel)) fail(cfg, ['grid', key], 'given twice');
    grid.push([camel, parsed.map(([, v]) => v)]);
  }

  const total = top.datasets.length * top.models.length * top.repeats * grid.reduce((n, [, v]) => n * v.length, 1);
  if (total > MAX_JOBS) {
    const key = grid.length ? 'grid' : 'repeats';
    fail(cfg, [key], `${total.toLocaleString('en-US')} jobs (datasets × models × grid × repeats) is more than ${MAX_JOBS.toLocaleString('en-US')}`);
  }

  let slurm: SlurmOptions = { extra: [] };
  if (top.slurm !== undefined) {
    if (!top.slurm || typeof top.slurm !== 'object' || Array.isArray(top.slurm)) fail(cfg, ['slurm'], 'expected a mapping');
    const { value, original } = camelKeys(top.slurm as Record<string, unknown>, cfg, ['slurm']);
    for (const [k, written] of original) if (!(k in SlurmSchema.shape)) fail(cfg, ['slurm', written], 'unknown key');
    slurm = parseConfigWith(SlurmSchema, value, cfg, ['slurm'], original);
  }

  const datasets = await Promise.all(top.datasets.map((d, i) => resolveDataset(cfg, base, d, i, opts)));
  const models = await Promise.all(top.models.map((m, i) => resolveModelItem(cfg, base, m, i)));
  for (const [key, list] of [['datasets', datasets], ['models', models]] as const) {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (seen.has(item.spec)) fail(cfg, [key, i], `listed twice (${item.spec})`);
      seen.add(item.spec);
    });
  }
  return { file: cfg.file, name: top.name, out: path.resolve(base, top.out), datasets, models, train: train as Partial<TrainConfigInput>, grid, repeats: top.repeats, slurm };
}

/** Reads, overrides (`--set`) and validates a batch config file; every problem is one line naming the file and the key. */
export async function loadBatchConfig(file: string, sets: readonly string[] = [], opts: ResolveOptions = {}): Promise<BatchConfig> {
  const cfg = await readConfigFile(file);
  if (!cfg.data || typeof cfg.data !== 'object' || Array.isArray(cfg.data)) throw new ConvkitError('expected a mapping (name, out, datasets, models, train, grid, repeats, slurm)', { file });
  const overridden = sets.map((s) => s.slice(0, Math.max(0, s.indexOf('='))).split('.'));
  const withSets: ConfigFile = {
    file: cfg.file,
    data: applySets(cfg.data, sets),
    // A key given with --set has no line in the file.
    lineOf: (keys) => (overridden.some((o) => o.every((k, i) => String(keys[i]) === k)) ? undefined : cfg.lineOf(keys)),
  };
  return resolveBatchConfig(withSets, path.dirname(path.resolve(file)), opts);
}
