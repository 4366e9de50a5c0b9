import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { convkitCommand, type ConvkitCommand } from '../batch/command.js';
import { runLocal } from '../batch/local.js';
import { errorFromLog } from '../batch/runner.js';
import { resolveModel } from '../models/index.js';
import { hasRunConfig, isFinishedRun, runDirState } from '../run/dir.js';
import { acquireRunLock, runWriter } from '../run/lock.js';
import { readRunResult, writeRunResult, type RunResult } from '../run/result.js';
import type { EnsembleBlock, EvaluateBlock } from '../train/config-file.js';
import type { TrainConfigInput } from '../train/config.js';
import { trainDefault } from '../train/options.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { ConvkitError } from '../util/errors.js';
import { readJsonOrNull } from '../util/json-files.js';
import { chooseTta, scoreSplit } from './evaluate.js';
import {
  ENSEMBLE_FILE_NAMES, ENSEMBLE_FORMAT, ensembleFiles, hasEnsembleResult, memberFiles, memberName, readEnsembleManifest,
  wilsonInterval, writeEnsembleManifest, writeEnsembleResult, type EnsembleResult,
} from './folder.js';
import { openMembers } from './members.js';

export interface EnsembleRecipeOptions {
  log?: (m: string) => void;
  /** How to start `convkit train` (default: this convkit). */
  command?: ConvkitCommand;
  cores?: number;
  /** Where the settings and data came from, recorded in each member's config.json. */
  provenance?: Record<string, unknown>;
}

interface Member {
  id: string;
  model: string;
  seed: number;
  train: Record<string, unknown>;
}

const FINISHED = `holds a finished ensemble (${ENSEMBLE_FILE_NAMES.result} exists); use --force to start over or another --out`;

/**
 * `convkit train --config RECIPE --out DIR` with an `ensemble:` block: DIR becomes an ensemble folder (folder.ts).
 * Each member (the file's train: block with the member's keys laid over, one split seed for all) is an ordinary run
 * trained by a child `convkit train`, `parallel` at once with CONVKIT_THREADS = cores / parallel; a rerun continues
 * unfinished members and keeps finished ones. Then the TTA choice on the members' shared validation split and the
 * test set scored once with it, in DIR/result.json. `train.data` is already the prepared set (made once, before).
 */
export async function trainEnsemble(train: Partial<TrainConfigInput>, block: { ensemble: EnsembleBlock; evaluate?: EvaluateBlock }, opts: EnsembleRecipeOptions = {}): Promise<EnsembleResult> {
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const dir = train.out!;
  const force = train.force === true;
  const members = memberSpecs(train, block.ensemble);
  for (const m of members) await resolveModel(m.model); // an unknown model fails here, before any member starts
  const lock = await acquireRunLock(dir, { lockFile: ENSEMBLE_FILE_NAMES.lock, subject: 'ensemble folder', purpose: 'train (ensemble)', log });
  try {
    await checkEnsembleDir(dir, force, log);
    const manifest = await readEnsembleManifest(dir);
    if (manifest && manifest.members.map((m) => m.name).join(',') !== members.map((m) => m.id).join(',')) {
      throw new ConvkitError(`its members (${manifest.members.map((m) => m.name).join(', ')}) are not this recipe's (${members.map((m) => m.id).join(', ')}); use --force to start over or another --out`, { file: ensembleFiles(dir).manifest });
    }
    for (const m of members) {
      const file = memberFiles(dir, m.id).config;
      const before = await readJsonOrNull<{ train?: unknown }>(file);
      if (before && JSON.stringify(before.train) !== JSON.stringify(m.train)) throw new ConvkitError(`member ${m.id} was started with other settings than this recipe gives it; use --force to start over or another --out`, { file });
    }
    if (!manifest) await writeEnsembleManifest(dir, { format: ENSEMBLE_FORMAT, created: new Date().toISOString(), members: members.map((m) => ({ name: m.id, model: m.model, seed: m.seed })), ...(opts.provenance ? { provenance: opts.provenance } : {}) });
    await trainMembers(dir, members, block.ensemble.parallel, opts, log);
    return await scoreEnsemble(dir, members, block.evaluate?.tta ?? 0, log);
  } finally {
    await lock.release();
  }
}

/** Each member's whole train config: the file's block, the member's keys, one split seed, its run folder. */
function memberSpecs(train: Partial<TrainConfigInput>, block: EnsembleBlock): Member[] {
  const { out, force: _force, ...shared } = train;
  const splitSeed = train.splitSeed ?? train.seed ?? (trainDefault('seed') as number);
  return block.members.map((m, i) => {
    const cfg = { ...shared, ...m, splitSeed, progress: m.progress ?? train.progress ?? 'lines' } as Record<string, unknown>;
    const model = String(cfg.model ?? '');
    if (!model) throw new ConvkitError(`ensemble member ${i + 1} has no model (set model in the train: block or the member)`);
    const seed = (cfg.seed as number | undefined) ?? (trainDefault('seed') as number);
    const id = memberName(i, model, seed);
    return { id, model, seed, train: { ...cfg, out: memberFiles(out!, id).run } };
  });
}

/** A finished ensemble is refused without --force; --force discards an ensemble, finished or not; a folder that is no ensemble is never written into. */
async function checkEnsembleDir(dir: string, force: boolean, log: (m: string) => void): Promise<void> {
  const names = (await fs.readdir(dir)).filter((n) => n !== ENSEMBLE_FILE_NAMES.lock);
  if (!names.length) return;
  if (!(await readEnsembleManifest(dir))) throw new ConvkitError(`holds files but no ensemble (no ${ENSEMBLE_FILE_NAMES.manifest}); an ensemble recipe needs an empty or ensemble --out`, { file: dir });
  if (!force) {
    if (await hasEnsembleResult(dir)) throw new ConvkitError(FINISHED, { file: dir });
    return; // unfinished: continued
  }
  log(`convkit: --force: discarding the previous ensemble in ${dir}`);
  const f = ensembleFiles(dir);
  await fs.rm(f.result, { force: true });
  await fs.rm(f.members, { recursive: true, force: true });
  await fs.rm(f.manifest, { force: true });
}

async function trainMembers(dir: string, members: Member[], parallelWanted: number | undefined, opts: EnsembleRecipeOptions, log: (m: string) => void): Promise<void> {
  // A member still trained by the process of an earlier command (its parent was killed with SIGKILL; members run in
  // their own process group) is waited for, not started twice.
  for (const m of members) {
    const run = memberFiles(dir, m.id).run;
    const w = await runWriter(run);
    if (!w) continue;
    log(`convkit: member ${m.id} is still being trained by pid ${w.pid} on ${w.host} (an earlier command's); waiting for it to end`);
    while (await runWriter(run)) await new Promise((r) => setTimeout(r, 1000));
  }
  const todo: Member[] = [];
  for (const m of members) {
    if (await isFinishedRun(memberFiles(dir, m.id).run)) log(`convkit: member ${m.id} is finished; kept`);
    else todo.push(m);
  }
  if (!todo.length) return;
  const cores = opts.cores ?? os.availableParallelism();
  const parallel = Math.max(1, Math.min(parallelWanted ?? cores, cores, todo.length));
  const threads = Math.max(1, Math.floor(cores / parallel));
  const starts = new Map<string, string[]>();
  for (const m of todo) {
    const f = memberFiles(dir, m.id);
    await writeJsonAtomic(f.config, { description: `ensemble member ${m.id}`, train: m.train });
    // A member with a config.json continues from its checkpoint (or restarts at epoch 1 when it has none yet).
    const resumable = (await hasRunConfig(f.run)) && (await runDirState(f.run)) === 'unfinished';
    starts.set(m.id, resumable ? ['train', '--resume', f.run, '--progress', 'lines'] : ['train', '--config', f.config]);
  }
  log(`convkit: training ${todo.length} of ${members.length} member(s), ${parallel} process(es) at once × ${threads} thread(s); logs in ${ensembleFiles(dir).members}/<member>.log`);
  const failures: string[] = [];
  const r = await runLocal(todo, {
    parallel,
    threads,
    command: opts.command ?? convkitCommand(),
    logDir: ensembleFiles(dir).members,
    label: 'convkit ensemble',
    argsOf: (m) => starts.get(m.id)!,
    onStart: (m) => log(`convkit: member ${m.id}: ${starts.get(m.id)![1] === '--resume' ? 'resuming' : 'started'}`),
    log,
    onExit: async (m, exit) => {
      if (await isFinishedRun(memberFiles(dir, m.id).run)) {
        const res = await readRunResult(memberFiles(dir, m.id).run);
        log(`convkit: member ${m.id}: finished, validation ${fmtPct(res.val_accuracy)}, ${res.duration_s.toFixed(0)} s`);
        return;
      }
      const stopped = exit.signal !== null || exit.code === 130 || exit.code === 143 || exit.code === 129;
      if (!stopped) failures.push(`member ${m.id} failed (${exit.code === null ? 'no exit code' : `exit ${exit.code}`}: ${errorFromLog(exit.log) ?? 'no output'}); its log: ${memberFiles(dir, m.id).log}`);
      else log(`convkit: member ${m.id}: stopped, resumable`);
    },
  });
  if (r.interrupted) {
    const code = r.interrupted === 'SIGTERM' ? 143 : r.interrupted === 'SIGHUP' ? 129 : 130;
    throw new ConvkitError(`interrupted by ${r.interrupted}; the members saved checkpoints — rerun the same command to continue`, { file: dir, exitCode: code });
  }
  if (failures.length) throw new ConvkitError(failures.join('; '), { file: dir, exitCode: 1 });
}

const fmtPct = (x: number | null | undefined) => (typeof x === 'number' ? `${(x * 100).toFixed(2)} %` : 'n/a');

/** The TTA choice on validation, the test set scored once with it, DIR/result.json. */
async function scoreEnsemble(dir: string, members: Member[], tried: number, log: (m: string) => void): Promise<EnsembleResult> {
  const runs = members.map((m) => memberFiles(dir, m.id).run);
  const opened = await openMembers(runs, { split: 'validation', log });
  try {
    if (opened.splits.validationKind === 'test') log(`convkit: warning: the members validate on the test set (no held-out split of train), so the TTA choice looks at the test images`);
    const choice = await chooseTta(opened, tried);
    log(`convkit: ensemble of ${runs.length} on validation (${choice.noTta.count} images): ${fmtPct(choice.noTta.accuracy)} without TTA${choice.withTta ? `, ${fmtPct(choice.withTta.accuracy)} with ${tried} transforms: TTA ${choice.tta ? 'kept' : 'dropped'}` : ''}`);
    const test = await scoreSplit(opened, 'test', choice.tta);
    const memberResults = [];
    for (const [i, m] of members.entries()) {
      const r = await readRunResult(runs[i]);
      memberResults.push({ dir: path.relative(dir, runs[i]), model: m.model, seed: m.seed, val_accuracy: r.val_accuracy ?? null, test_accuracy: r.test_accuracy, duration_s: r.duration_s });
    }
    const result: EnsembleResult = {
      format: ENSEMBLE_FORMAT,
      test_accuracy: test.accuracy,
      test_loss: test.loss,
      test_count: test.count,
      test_interval: wilsonInterval(Math.round(test.accuracy * test.count), test.count),
      val_accuracy: choice.chosen.accuracy,
      val_count: choice.chosen.count,
      validation: { kind: opened.splits.validationKind, ...(opened.splits.validationNote ? { note: opened.splits.validationNote } : {}) },
      tta: choice.tta,
      tta_tried: tried,
      val_accuracy_no_tta: choice.noTta.accuracy,
      val_accuracy_tta: choice.withTta?.accuracy ?? null,
      members: memberResults,
      duration_s: performance.now() / 1000,
      data: opened.configs[0].data,
    };
    await writeEnsembleResult(dir, result);
    return result;
  } finally {
    opened.dispose();
  }
}

/**
 * A recipe's `evaluate: {tta}` without `ensemble:`: on the trained run, validation with and without `tried`
 * transforms; the test set scored again with TTA only when it was kept. result.json gains the choice (run/result.ts).
 */
export async function chooseRunTta(runDir: string, tried: number, log: (m: string) => void = (m) => process.stderr.write(m + '\n')): Promise<RunResult> {
  const before = await readRunResult(runDir);
  const opened = await openMembers([runDir], { split: 'validation', log });
  try {
    if (opened.splits.validationKind === 'test') log(`convkit: warning: the run validates on the test set, so the TTA choice looks at the test images`);
    const choice = await chooseTta(opened, tried);
    log(`convkit: validation (${choice.noTta.count} images): ${fmtPct(choice.noTta.accuracy)} without TTA${choice.withTta ? `, ${fmtPct(choice.withTta.accuracy)} with ${tried} transforms: TTA ${choice.tta ? 'kept' : 'dropped'}` : ''}`);
    const test = choice.tta ? await scoreSplit(opened, 'test', choice.tta) : null;
    const result: RunResult = {
      ...before,
      ...(test ? { test_accuracy: test.accuracy, test_loss: test.loss, test_count: test.count, test_accuracy_no_tta: before.test_accuracy } : {}),
      tta: choice.tta,
      tta_tried: tried,
      val_accuracy_no_tta: choice.noTta.accuracy,
      val_accuracy_tta: choice.withTta?.accuracy ?? null,
    };
    await writeRunResult(runDir, result);
    return result;
  } finally {
    opened.dispose();
  }
}
