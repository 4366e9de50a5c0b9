import { promises as fs } from 'node:fs';
import { writeJsonAtomic } from '../util/atomic.js';
import { ConvkitError } from '../util/errors.js';
import { readJsonOrNull } from '../util/json-files.js';
import { runFiles } from './layout.js';

/** What config.json records of the data a run was trained on. */
export interface RunDatasetInfo {
  name?: string;
  /** Where the data came from, as a sentence (not read back). */
  source?: string;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  classNames?: string[];
  /** How a `convkit prepare` set was made (its mode is applied again to images given to `predict`). */
  preparation?: { mode?: string; [k: string]: unknown };
  trainCount?: number;
  validationCount?: number;
  testCount?: number;
}

/**
 * config.json: every training setting of the run as resolved (the train config's keys, camelCase), plus what the
 * run adds: `backend` (resolved), `requestedBackend`, `dataset`, `versions`, `created`, `provenance`. `--resume` reads
 * the settings back from it; readers use the fields typed here.
 */
export interface RunConfigFile {
  /** RUN_CONFIG_FORMAT: marks the folder as a run convkit wrote (absent in runs written before 2026-12-04). */
  format?: string;
  model: string;
  /** SHA-256 of the model module (`--model FILE.js/.ts`) the run was started with: `--resume` runs no other code. */
  modelSha256?: string;
  data: string;
  seed: number;
  /** Seed of the data split when not `seed` (absent before 2026-12-05: the split follows `seed`). */
  splitSeed?: number;
  epochs?: number;
  limitTest?: number;
  /** The backend the run used (what `auto` resolved to). */
  backend?: string;
  /** The backend the run asked for (`auto`, …): a resumed run asks for it again. */
  requestedBackend?: string;
  dataset: RunDatasetInfo;
  versions?: { convkit: string; tfjsCore: string; tfjsLayers: string; node: string };
  /** ISO time the run was first started (kept on resume). */
  created?: string;
  /** Where the settings and data came from (config file, prepared set). */
  provenance?: Record<string, unknown>;
  [setting: string]: unknown;
}

/** config.json's `format`: what tells a run folder convkit wrote from any folder with a config.json. */
export const RUN_CONFIG_FORMAT = 'convkit-run/1';

/**
 * Whether `dir` is a run folder convkit wrote (what `train --force` may delete): its config.json says
 * RUN_CONFIG_FORMAT, or (runs written before the marker) has the keys every convkit run config has.
 */
export async function isConvkitRunFolder(dir: string): Promise<boolean> {
  const c = (await readRunConfigOrNull(dir)) as Record<string, unknown> | null;
  if (!c || typeof c !== 'object' || Array.isArray(c)) return false;
  if (c.format !== undefined) return c.format === RUN_CONFIG_FORMAT;
  return typeof c.model === 'string' && typeof c.data === 'string' && typeof c.seed === 'number' && typeof c.dataset === 'object' && c.dataset !== null && typeof c.versions === 'object';
}

/** The error for a folder that holds no run (no config.json); `hint` is appended ("; nothing to resume"). */
export function notARunError(dir: string, hint = ''): ConvkitError {
  return new ConvkitError(`not a convkit run folder (config.json missing)${hint}`, { file: dir });
}

/** The config.json of the run in `dir`; a ConvkitError naming the file when it is missing or not JSON. */
export async function readRunConfig(dir: string, missingHint = ''): Promise<RunConfigFile> {
  const file = runFiles(dir).config;
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notARunError(file, missingHint);
    throw new ConvkitError(`cannot parse (${(e as Error).message})`, { file });
  }
}

/** The config.json of the run in `dir`, or null when it is missing or not JSON (a run still being created). */
export function readRunConfigOrNull(dir: string): Promise<RunConfigFile | null> {
  return readJsonOrNull<RunConfigFile>(runFiles(dir).config);
}

/** Writes config.json in one rename (a fresh run writes it first; a resume with more epochs rewrites it). */
export async function writeRunConfig(dir: string, config: RunConfigFile): Promise<void> {
  await writeJsonAtomic(runFiles(dir).config, { format: RUN_CONFIG_FORMAT, ...config });
}
