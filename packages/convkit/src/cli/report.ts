import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { CheckpointName } from '../report/analysis-types.js';
import { writeFileAtomic } from '../util/atomic.js';
import { ConvkitError } from '../util/errors.js';
import { choice, printJson } from './options.js';

interface ReportOptions {
  html?: string;
  json: boolean;
  checkpoint: CheckpointName;
  backend: string;
  force: boolean;
}

/** What a `convkit report` argument is: a run folder (config.json), or something else. */
async function pathKind(p: string): Promise<'run' | 'other'> {
  try {
    await fs.access(path.join(p, 'config.json'));
    return 'run';
  } catch {
    return 'other';
  }
}

/** One run: its analysis as text, JSON and/or HTML; several runs: the comparison. */
async function reportRuns(runs: string[], o: ReportOptions): Promise<void> {
  const { analyseRun } = await import('../report/analysis.js');
  const { writeCompareHtml, writeReportHtml } = await import('../report/html.js');
  const { analysisText } = await import('../report/text.js');
  const analyses = [];
  for (const r of runs) analyses.push(await analyseRun(r, { checkpoint: o.checkpoint, backend: o.backend, force: o.force }));
  if (o.html) {
    if (analyses.length === 1) await writeReportHtml(o.html, analyses[0]);
    else await writeCompareHtml(o.html, analyses);
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
    .description('what a run learned: curves, confusion matrix, per-class accuracy, errors, feature maps (cached in RUN/analysis.json); with several runs, their comparison')
    .argument('<paths...>', 'run folders')
    .option('--html <file>', 'write one self-contained HTML file (no network needed to view it)')
    .option('--json', 'print the analysis as JSON', false)
    .option('--checkpoint <name>', 'weights to analyse: last (the final ones, as evaluate) | best', choice(['best', 'last']), 'last')
    .option('--backend <name>', 'tfjs backend', 'auto')
    .option('--force', 'recompute analysis.json even if it is up to date', false)
    .action(async (paths: string[], o: ReportOptions) => {
      const kinds = await Promise.all(paths.map(pathKind));
      if (kinds.every((k) => k === 'run')) return reportRuns(paths, o);
      const bad = paths[kinds.indexOf('other')];
      throw new ConvkitError('not a convkit run folder (config.json missing)', { file: bad });
    });
}
