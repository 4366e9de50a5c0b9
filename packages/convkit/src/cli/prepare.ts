import { Option, type Command } from 'commander';
import { table } from '../util/term.js';
import { nonNegativeInt, positiveInt, printJson } from './options.js';

/** "24,48" → [24, 48]; values are checked by the prepare schema (so "0" or "x" fail with one line, exit 2). */
function numberList(value: string): number[] {
  return value.split(',').map((s) => (s.trim() === '' ? NaN : Number(s.trim())));
}

function stringList(value: string): string[] {
  return value.split(',').map((s) => s.trim());
}

export function registerPrepareCommands(program: Command): void {
  const prepare = program.command('prepare').description('turn an image dataset into HDF5 files ready for training');
  prepare
    .command('gtsrb')
    .description('GTSRB (official or Kaggle layout) → one HDF5 file per size × mode: set-24x24-L.h5, set-48x48-RGB-HE.h5, …')
    .argument('<root>', 'folder holding GTSRB/Final_Training (official) or Train.csv (Kaggle)')
    .requiredOption('--out <dir>', 'folder for the .h5 files')
    .addOption(new Option('--size <list>', 'square sizes in pixels, comma-separated').argParser(numberList).default([24, 48], '24,48'))
    .addOption(
      new Option('--mode <list>', 'RGB, RGB-HE, L, L-HE, L-LHE, L-CLAHE, comma-separated')
        .argParser(stringList)
        .default(['RGB', 'RGB-HE', 'L', 'L-LHE'], 'RGB,RGB-HE,L,L-LHE'),
    )
    .option('--scale <x>', 'keep this fraction of train and test (seeded, stratified by class)', Number, 1)
    .option('--roi', 'crop each image to its region of interest first', false)
    .option('--seed <n>', 'seed for the training-set shuffle and --scale', nonNegativeInt, 42)
    .option('--skip-bad', 'skip bad rows and images (counted in the report) instead of stopping', false)
    .option('--test-gt <file>', 'GT-final_test.csv when it is not in Final_Test/ or Final_Test/Images/')
    .option('--test-root <dir>', 'take the test set from this GTSRB folder\'s Final_Test/ (for a copy of the training set alone)')
    .option('--workers <n>', 'worker threads (default: one per core)', positiveInt)
    .option('--force', 'replace sets that already exist in --out (else: kept when made from the same source and parameters, an error when not)', false)
    .option('--json', 'print the report as JSON', false)
    .action(async (root: string, o) => {
      const { prepareGtsrb } = await import('../prepare/gtsrb.js');
      const report = await prepareGtsrb(
        { root, out: o.out, sizes: o.size, modes: o.mode, scale: o.scale, roi: o.roi, seed: o.seed, skipBad: o.skipBad, testGt: o.testGt, testRoot: o.testRoot, workers: o.workers, force: o.force },
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
      for (const s of report.skipped.slice(0, 20)) process.stdout.write(`  skipped ${s.file}${s.line !== undefined ? `:${s.line}` : ''}: ${s.reason}\n`);
      if (report.skipped.length > 20) process.stdout.write(`  … and ${report.skipped.length - 20} more (see --json)\n`);
    });
}
