import type { Command } from 'commander';
import { RUN_FILE_NAMES as F } from '../run/layout.js';
import { TRAIN_OPTIONS } from '../train/options.js';
import { optionError } from '../util/errors.js';
import { table } from '../util/term.js';
import { addTableOptions, positiveInt, printJson } from './options.js';

export function registerTrainCommands(program: Command): void {
  const train = program
    .command('train')
    .description(`train a model on a dataset and write a run folder (${F.config}, ${F.metrics}, ${F.checkpoints}/, ${F.status}, ${F.model}/, ${F.result}); exit codes: 0 done, 1 diverged (NaN), 2 bad input, 130/143 interrupted by SIGINT/SIGTERM (resumable)`)
    .option('--config <file>', 'YAML/JSON file with a train: block (any of these options, as written here or in camelCase) and a prepare: block (size, mode, roi, test, seed, exclude) used when --data is a GTSRB folder; options given here override it')
    .option('--resume <dir>', `continue an interrupted or killed run from its last checkpoint (settings from its ${F.config}; only --epochs, --progress, --backend may change)`);
  // Every train setting: flag, help, parser and default from the one table the config schema is built from.
  addTableOptions(train, TRAIN_OPTIONS);
  train
    .option('--json', 'print the result as JSON on stdout', false)
    .action(async (o, cmd: Command) => {
      let result;
      if (o.resume) {
        const allowed = new Set(['resume', 'epochs', 'progress', 'backend', 'json']);
        for (const opt of cmd.options) {
          const key = opt.attributeName();
          if (!allowed.has(key) && cmd.getOptionValueSource(key) === 'cli') throw optionError(opt.long ?? key, `cannot be changed when resuming (the run keeps its ${F.config}); only --epochs, --progress and --backend can`);
        }
        const given = (k: string) => (cmd.getOptionValueSource(k) === 'cli' ? o[k] : undefined);
        const { resumeRun } = await import('../train/run.js');
        result = await resumeRun(o.resume, { epochs: o.epochs, progress: given('progress'), backend: given('backend') });
      } else {
        const { trainInputFromCli } = await import('./train-config.js');
        const { trainRun } = await import('../train/run.js');
        const { input, provenance } = await trainInputFromCli(o, cmd);
        result = await trainRun(input, { provenance });
      }
      if (o.json) printJson(result);
      else
        process.stdout.write(
          `${result.model} on ${result.data}: test accuracy ${(result.test_accuracy * 100).toFixed(2)} %, test loss ${result.test_loss.toFixed(4)}, ` +
            `${result.epochs} epochs in ${result.duration_s.toFixed(1)} s (${Math.round(result.images_per_s)} img/s, ${result.backend})\n`,
        );
    });

  program
    .command('evaluate')
    .description('evaluate a trained run on its test set (or on --data)')
    .argument('<dir>', 'run folder')
    .option('--data <source>', 'evaluate on this dataset\'s test split instead')
    .option('--backend <name>', 'tfjs backend', 'auto')
    .option('--onnx <file>', "score this ONNX file (the run's `convkit export`) with onnxruntime-node instead of the run's model (needs onnxruntime-node installed)")
    .option('--json', 'print JSON', false)
    .action(async (dir, o) => {
      const { evaluateRun } = await import('../train/inference.js');
      const r = await evaluateRun(dir, { data: o.data, backend: o.backend, onnx: o.onnx });
      if (o.json) printJson(r);
      else process.stdout.write(`${r.data}: ${r.count} images, accuracy ${(r.test_accuracy * 100).toFixed(2)} %, loss ${r.test_loss.toFixed(4)}${o.onnx ? ' (onnxruntime)' : ''}\n`);
    });

  program
    .command('predict')
    .description('classify images (PNG, JPEG, PGM, PPM) with a trained run')
    .argument('<dir>', 'run folder')
    .argument('<images...>', 'image files')
    .option('--top <k>', 'how many classes to show', positiveInt, 3)
    .option('--invert', 'invert grey levels first (dark digit on light paper → MNIST style)', false)
    .option('--backend <name>', 'tfjs backend', 'auto')
    .option('--json', 'print JSON', false)
    .action(async (dir, images: string[], o) => {
      const { predictImages } = await import('../train/inference.js');
      const preds = await predictImages(dir, images, { topK: o.top, invert: o.invert, backend: o.backend });
      if (o.json) printJson(preds);
      else
        for (const p of preds) {
          process.stdout.write(`${p.file}\n${table(['class', 'name', 'probability'], p.top.map((t) => [t.class, t.name, t.probability.toFixed(4)]))}\n`);
        }
    });
}
