import type { Command } from 'commander';
import { writeFileAtomic } from '../util/atomic.js';
import { printJson } from './options.js';

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
}
