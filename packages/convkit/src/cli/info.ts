import type { Command } from 'commander';
import { table } from '../util/term.js';
import { printJson } from './options.js';

export function registerInfoCommands(program: Command): void {
  program
    .command('models')
    .description('list the models convkit can build')
    .option('--json', 'print JSON', false)
    .action(async (o) => {
      const { listModels } = await import('../models/index.js'); // the catalogue only: builders (and tfjs) load when a model is built
      const models = listModels().map((m) => ({ name: m.name, description: m.description }));
      if (o.json) printJson(models);
      else process.stdout.write(table(['model', 'description'], models.map((m) => [m.name, m.description]), ['l', 'l']) + '\n');
    });
  program
    .command('datasets')
    .description('list the kinds of --data convkit reads')
    .option('--json', 'print JSON', false)
    .action(async (o) => {
      const { listDataSources } = await import('../datasets/index.js');
      const ds = listDataSources().map((d) => ({ name: d.name, description: d.describe }));
      if (o.json) printJson(ds);
      else for (const d of ds) process.stdout.write(`${d.name.padEnd(16)} ${d.description}\n`);
    });
}
