import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { CheckpointName } from '../report/analysis-types.js';
import type { ScalingChart } from '../report/scaling.js';
import { ANALYSIS_FILE_NAMES } from '../run/layout.js';
import { writeFileAtomic } from '../util/atomic.js';
import { ConvkitError } from '../util/errors.js';
import { reportBatchDir } from './batch.js';
import { choice, printJson } from './options.js';

interface ReportOptions {
  html?: string;
  /** A batch output: also write its table as Markdown. */
  md?: string;
  json: boolean;
  checkpoint?: CheckpointName;
  backend: string;
  force: boolean;
  /** Runs whose averaged probabilities are reported as one ensemble. */
  ensemble?: string[];
}

const isFile = (p: string) => fs.access(p).then(() => true, () => false);

/** What a `convkit report` argument is: a run folder (its config), a batch output (results.jsonl), or neither. */
async function pathKind(p: string): Promise<'run' | 'batch' | 'ensemble' | 'other'> {
  const { hasRunConfig } = await import('../run/dir.js');
  const { isEnsembleDir } = await import('../ensemble/folder.js');
  if (await hasRunConfig(p)) return 'run';
  if (await isEnsembleDir(p)) return 'ensemble';
  if (await isFile(path.join(p, 'results.jsonl'))) return 'batch';
  return 'other';
}

/** The finished runs of a batch output: OUT/runs/<job>/ holding a result, in name order. */
async function batchRuns(out: string): Promise<string[]> {
  const { isFinishedRun } = await import('../run/dir.js');
  const { RUN_FILE_NAMES } = await import('../run/layout.js');
  const dir = path.join(out, 'runs');
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const runs: string[] = [];
  for (const n of names.sort()) if (await isFinishedRun(path.join(dir, n))) runs.push(path.join(dir, n));
  if (!runs.length) throw new ConvkitError(`no finished run in this batch yet (no runs/*/${RUN_FILE_NAMES.result})`, { file: out });
  return runs;
}

/** A batch output's accuracy against training-set size (report/scaling.ts), from its results.jsonl. */
async function batchScalingOf(out: string): Promise<ScalingChart[]> {
  const { readRecords } = await import('../batch/results.js');
  const { batchScaling } = await import('../report/batch-table.js');
  return batchScaling(await readRecords(out));
}

/**
 * One run: its analysis as text, JSON and/or HTML; several runs: the comparison (a batch's with `scaling`); an
 * ensemble (its folder, or `--ensemble RUN…`): one analysis of the members' averaged probabilities.
 */
async function reportRuns(runs: string[], o: ReportOptions, scaling: ScalingChart[] = [], ensemble = false): Promise<void> {
  if (o.html && (await fs.stat(o.html).then((st) => st.isDirectory(), () => false))) throw new ConvkitError('is a directory; --html takes the HTML file to write', { file: o.html });
  const { analyseRun } = await import('../report/analysis.js');
  const { writeCompareHtml, writeReportHtml } = await import('../report/html.js');
  const { analysisText } = await import('../report/text.js');
  const analyses = [];
  if (ensemble) {
    const { analyseEnsemble } = await import('../ensemble/report.js');
    analyses.push(await analyseEnsemble(runs, { backend: o.backend }));
  } else for (const r of runs) analyses.push(await analyseRun(r, { checkpoint: o.checkpoint, backend: o.backend, force: o.force }));
  if (o.html) {
    if (analyses.length === 1) await writeReportHtml(o.html, analyses[0]);
    else await writeCompareHtml(o.html, analyses, scaling);
    process.stderr.write(`convkit: wrote ${o.html}\n`);
  }
  if (o.json) printJson(analyses.length === 1 ? analyses[0] : analyses);
  else if (!o.html) process.stdout.write(analyses.map(analysisText).join('\n\n') + '\n');
}

export function registerReportCommands(program: Command): void {
  program
    .command('compare')
    .description('compare finished runs: test accuracy, loss, training time, throughput')
    .argument('<runs...>', 'run folders')
    .option('--md <file>', 'also write the table as Markdown')
    .option('--title <text>', 'Markdown title', 'convkit comparison')
    .option('--json', 'print JSON', false)
    .action(async (runs: string[], o) => {
      const { comparisonMarkdown, comparisonTable, summariseRuns } = await import('../report/compare.js');
      const s = await summariseRuns(runs);
      if (o.md) await writeFileAtomic(o.md, comparisonMarkdown(s, o.title));
      if (o.json) printJson(s);
      else process.stdout.write(comparisonTable(s) + '\n');
    });

  program
    .command('report')
    .description(`what a run learned: curves, confusion matrix, per-class accuracy, errors, feature maps (cached in RUN/${ANALYSIS_FILE_NAMES.last}); with several runs, their comparison`)
    .argument('[paths...]', 'run folders, one ensemble folder, or one batch output folder with --html')
    .option('--ensemble <runs...>', 'report these runs as one ensemble (their probabilities averaged): confusion matrix, per-class accuracy, errors')
    .option('--html <file>', 'write one self-contained HTML file (no network needed to view it)')
    .option('--json', 'print the analysis as JSON', false)
    .option('--checkpoint <name>', 'weights to analyse: best | last (default: the ones the run was scored with and evaluate uses: best when it validated on held-out training images, else last)', choice(['best', 'last']))
    .option('--backend <name>', 'tfjs backend', 'auto')
    .option('--force', `recompute ${ANALYSIS_FILE_NAMES.last} even if it is up to date`, false)
    .option('--md <file>', 'a batch output: also write its table (one row per dataset, per model accuracy and duration) as Markdown')
    .action(async (paths: string[], o: ReportOptions) => {
      if (o.ensemble) {
        if (paths.length) throw new ConvkitError(`--ensemble takes the runs itself; give no folder before it (got ${paths[0]})`);
        return reportRuns(o.ensemble, o, [], true);
      }
      if (!paths.length) throw new ConvkitError('give run folders, an ensemble folder or a batch output (or --ensemble RUN…)');
      const kinds = await Promise.all(paths.map(pathKind));
      if (paths.length === 1 && kinds[0] === 'ensemble') return reportRuns(paths, o, [], true);
      if (kinds.every((k) => k === 'run')) return reportRuns(paths, o);
      // A batch output: with --html, the comparison of its finished runs; without, the batch's table (one row per dataset).
      if (paths.length === 1 && kinds[0] === 'batch' && o.html) return reportRuns(await batchRuns(paths[0]), o, await batchScalingOf(paths[0]));
      if (paths.length === 1 && kinds[0] === 'batch') return reportBatchDir(paths[0], o);
      const i = kinds.includes('other') ? kinds.indexOf('other') : kinds.findIndex((k) => k !== 'run');
      const { notARunError } = await import('../run/config.js');
      if (kinds[i] === 'other') throw notARunError(paths[i]);
      throw new ConvkitError(`${kinds[i] === 'batch' ? 'a batch output: give it alone (with --html)' : 'an ensemble folder: give it alone'}, not among runs`, { file: paths[i] });
    });
}
