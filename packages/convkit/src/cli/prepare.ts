import type { Command } from 'commander';
import type { PrepareGtsrbInput } from '../prepare/gtsrb.js';
import { PREPARE_OPTIONS } from '../prepare/options.js';
import { attributeOf } from '../util/option-table.js';
import { table } from '../util/term.js';
import { addTableOptions, printJson } from './options.js';

export function registerPrepareCommands(program: Command): void {
  const prepare = program.command('prepare').description('turn an image dataset into HDF5 files ready for training');
  const gtsrb = prepare
    .command('gtsrb')
    .description('GTSRB (official or Kaggle layout) → one HDF5 file per size × mode: set-24x24-L.h5, set-48x48-RGB-HE.h5, …')
    .argument('<root>', 'folder holding GTSRB/Final_Training (official) or Train.csv (Kaggle)');
  // Every prepare setting: flag, help, parser and default from the one table the prepare schema is built from.
  addTableOptions(gtsrb, PREPARE_OPTIONS);
  gtsrb
    .option('--json', 'print the report as JSON', false)
    .action(async (root: string, o) => {
      const { prepareGtsrb } = await import('../prepare/gtsrb.js');
      const report = await prepareGtsrb(
        { root, ...Object.fromEntries(PREPARE_OPTIONS.map((opt) => [opt.key, o[attributeOf(opt)]])) } as PrepareGtsrbInput,
        (m) => process.stderr.write(m + '\n'),
      );
      if (o.json) return printJson(report);
      process.stdout.write(
        table(
          ['file', 'train', 'test', 'meta'],
          report.files.map((f) => [f.path + (report.kept.includes(f.path) ? ' (up to date, kept)' : ''), String(f.train), String(f.test), String(f.meta)]),
        ) + '\n',
      );
      if (report.kept.length === report.files.length) process.stdout.write('nothing to do: every set is up to date (--force to rebuild)\n');
      else process.stdout.write(`${report.images} images × ${report.files.length - report.kept.length} variants in ${report.seconds.toFixed(1)} s (${report.workers} workers)` + (report.skipped.length ? `, ${report.skipped.length} skipped` : '') + '\n');
      if (report.excluded) process.stdout.write(`${report.excluded.files.length} images left out, as listed in ${report.excluded.file} (sha256 ${report.excluded.sha256.slice(0, 12)}…)\n`);
      for (const s of report.skipped.slice(0, 20)) process.stdout.write(`  skipped ${s.file}${s.line !== undefined ? `:${s.line}` : ''}: ${s.reason}\n`);
      if (report.skipped.length > 20) process.stdout.write(`  … and ${report.skipped.length - 20} more (see --json)\n`);
    });
}
