import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from '../util/atomic.js';
import { ConvkitError } from '../util/errors.js';
import { readJsonOrNull } from '../util/json-files.js';

// The ensemble folder's format, in this one module (docs/ensembles.md describes it): what `convkit train --config
// RECIPE --out DIR` writes when the recipe has an `ensemble:` block, and what `evaluate DIR` / `report DIR` read.
//
//   DIR/ensemble.json              the members (name, model, seed), written before any of them starts
//   DIR/members/<NN>-<model>-s<seed>/       an ordinary run folder per member
//   DIR/members/<NN>-<model>-s<seed>.json   the member's train config (convkit train --config of its process)
//   DIR/members/<NN>-<model>-s<seed>.log    the member process's output
//   DIR/result.json                the ensemble's figures, written once, at the end: its presence makes DIR finished
//   DIR/.ensemble.lock             one writer at a time

export const ENSEMBLE_FORMAT = 'convkit-ensemble/1';

export const ENSEMBLE_FILE_NAMES = { manifest: 'ensemble.json', members: 'members', result: 'result.json', lock: '.ensemble.lock' } as const;

export function ensembleFiles(dir: string) {
  return {
    manifest: path.join(dir, ENSEMBLE_FILE_NAMES.manifest),
    members: path.join(dir, ENSEMBLE_FILE_NAMES.members),
    result: path.join(dir, ENSEMBLE_FILE_NAMES.result),
  };
}

/** `01-gtsrb-resnet-wide-s1`: position, model (a model file by its base name), seed. */
export function memberName(index: number, model: string, seed: number): string {
  const base = path.basename(model).replace(/\.(m?[jt]s)$/, '').replace(/[^A-Za-z0-9._-]+/g, '-');
  return `${String(index + 1).padStart(2, '0')}-${base}-s${seed}`;
}

/** A member's run folder, its config file and its log. */
export function memberFiles(dir: string, name: string) {
  const members = ensembleFiles(dir).members;
  return { run: path.join(members, name), config: path.join(members, `${name}.json`), log: path.join(members, `${name}.log`) };
}

export interface EnsembleManifest {
  format: typeof ENSEMBLE_FORMAT;
  created: string;
  members: { name: string; model: string; seed: number }[];
  /** Where the settings and data came from (the recipe file, the prepared set made once for all members). */
  provenance?: Record<string, unknown>;
}

export async function writeEnsembleManifest(dir: string, m: EnsembleManifest): Promise<void> {
  await writeJsonAtomic(ensembleFiles(dir).manifest, m);
}

/** The manifest of an ensemble folder, or null when `dir` is none (no ensemble.json of this format). */
export async function readEnsembleManifest(dir: string): Promise<EnsembleManifest | null> {
  const m = await readJsonOrNull<Partial<EnsembleManifest>>(ensembleFiles(dir).manifest);
  if (!m || m.format !== ENSEMBLE_FORMAT || !Array.isArray(m.members)) return null;
  const ok = m.members.every((x) => x && typeof x.name === 'string' && /^[A-Za-z0-9._-]+$/.test(x.name) && typeof x.model === 'string' && typeof x.seed === 'number');
  return ok ? (m as EnsembleManifest) : null;
}

export const isEnsembleDir = async (dir: string): Promise<boolean> => (await readEnsembleManifest(dir)) !== null;

/** The members' run folders of an ensemble folder (a ConvkitError when it is none). */
export async function ensembleMemberDirs(dir: string): Promise<string[]> {
  const m = await readEnsembleManifest(dir);
  if (!m) throw new ConvkitError(`not an ensemble folder (no ${ENSEMBLE_FILE_NAMES.manifest} of format ${ENSEMBLE_FORMAT})`, { file: dir });
  return m.members.map((x) => memberFiles(dir, x.name).run);
}

/** One member's line of the ensemble's result. */
export interface EnsembleMemberResult {
  /** The member's run folder, relative to the ensemble folder. */
  dir: string;
  model: string;
  seed: number;
  val_accuracy: number | null;
  test_accuracy: number;
  duration_s: number;
}

/** DIR/result.json of an ensemble recipe (also the fields a single run's result.json gains from `evaluate: {tta}`). */
export interface EnsembleResult {
  format: typeof ENSEMBLE_FORMAT;
  /** The test set scored once, with the members' average (and TTA when chosen). */
  test_accuracy: number;
  test_loss: number;
  test_count: number;
  /** 95 % Wilson interval of test_accuracy, [lo, hi]. */
  test_interval: [number, number];
  /** On the members' shared held-out validation split, with the chosen TTA. */
  val_accuracy: number;
  val_count: number;
  /** Where validation came from (as a run's result says it). */
  validation: { kind: 'tracks' | 'images' | 'test'; note?: string };
  /** Transforms averaged at test time (0: none): the recipe's `evaluate.tta` when it was not lower on validation. */
  tta: number;
  /** The recipe's `evaluate.tta` (what was tried). */
  tta_tried: number;
  val_accuracy_no_tta: number;
  /** Validation accuracy with `tta_tried` transforms (null when none were tried). */
  val_accuracy_tta: number | null;
  members: EnsembleMemberResult[];
  /** Wall time of the command that wrote this file, preparation included. */
  duration_s: number;
  data: string;
}

export async function writeEnsembleResult(dir: string, r: EnsembleResult): Promise<void> {
  await writeJsonAtomic(ensembleFiles(dir).result, r);
}

export async function readEnsembleResultOrNull(dir: string): Promise<EnsembleResult | null> {
  const r = await readJsonOrNull<EnsembleResult>(ensembleFiles(dir).result);
  return r && r.format === ENSEMBLE_FORMAT && typeof r.test_accuracy === 'number' ? r : null;
}

export async function hasEnsembleResult(dir: string): Promise<boolean> {
  return fs.access(ensembleFiles(dir).result).then(() => true, () => false);
}

/** 95 % Wilson score interval of k successes in n trials. */
export function wilsonInterval(k: number, n: number, z = 1.959963984540054): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
