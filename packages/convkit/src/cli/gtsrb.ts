import type { Command } from 'commander';
import { positiveInt, printJson } from './options.js';

/** `convkit analyse gtsrb ROOT --out DIR`: HTML report + summary.json of a GTSRB folder. */
export function registerAnalyseCommands(program: Command): void {
  const analyse = program.command('analyse').description('analyse a dataset folder into an HTML report and summary.json');
  analyse
    .command('gtsrb')
    .description('GTSRB (official layout, GTSRB/ or its parent, or Kaggle layout): counts per class, size histograms, samples, meta signs')
    .argument('<root>', 'folder holding GTSRB/, GTSRB/ itself, or a Kaggle folder with Train.csv')
    .requiredOption('--out <dir>', 'folder to write report.html and summary.json into')
    .option('--test-gt <csv>', 'ground truth of the official test set (GT-final_test.csv) when not in Final_Test/ or Final_Test/Images/')
    .option('--skip-bad', 'skip unreadable images and bad CSV rows (counted as skipped) instead of stopping', false)
    .option('--samples <n>', 'training images shown per class', positiveInt, 8)
    .option('--json', 'print summary.json on stdout', false)
    .action(async (root: string, o) => {
      const { analyseGtsrb } = await import('../report/gtsrb-analysis.js');
      const summary = await analyseGtsrb(root, {
        out: o.out,
        testGt: o.testGt,
        skipBad: o.skipBad,
        samplesPerClass: o.samples,
        log: (m) => process.stderr.write(`${m}\n`),
      });
      if (o.json) printJson(summary);
      else {
        const f = summary.sizes.file;
        const c = summary.sizes.csv;
        process.stdout.write(
          `GTSRB (${summary.layout}) at ${summary.root}: ${summary.counts.train} training, ${summary.counts.test} test images, ${summary.counts.classes} classes, ` +
            `${summary.skipped.count} skipped\n` +
            `sizes from the CSV: ${c.width.train.min}–${c.width.train.max} × ${c.height.train.min}–${c.height.train.max} px; ` +
            `from the files: ${f.width.train.min}–${f.width.train.max} × ${f.height.train.min}–${f.height.train.max} px\n` +
            `wrote ${summary.files.report} and ${summary.files.summary}\n`,
        );
      }
    });
}

/** `convkit download gtsrb --manifest FILE`: the official archives, SHA-256 checked, extracted into the cache. */
export function registerDownloadCommands(program: Command): void {
  const download = program.command('download').description('download a dataset into the cache ($CONVKIT_HOME, default ~/.cache/convkit)');
  download
    .command('gtsrb')
    .description('the three official GTSRB archives, each checked against the SHA-256 pinned in --manifest, extracted; prints the folder')
    .requiredOption('--manifest <json>', 'JSON {"GTSRB_Final_Training_Images.zip": "<sha256>", "GTSRB_Final_Test_Images.zip": …, "GTSRB_Final_Test_GT.zip": …}')
    .option('--mirror <url>', 'base URL holding the three archives (default: the official archive at sid.erda.dk)')
    .option('--cache <dir>', 'folder for the archives and the extracted data (default $CONVKIT_HOME/gtsrb)')
    .action(async (o) => {
      const { downloadGtsrb, readGtsrbManifest } = await import('../datasets/gtsrb-download.js');
      const root = await downloadGtsrb({
        manifest: await readGtsrbManifest(o.manifest),
        baseUrl: o.mirror,
        cacheDir: o.cache,
        log: (m) => process.stderr.write(`${m}\n`),
      });
      process.stdout.write(`${root}\n`);
    });
}
