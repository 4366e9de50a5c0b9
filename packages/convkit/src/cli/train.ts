import type { Command } from 'commander';
import { evaluateRun, predictImages } from '../train/inference.js';
import { trainRun } from '../train/run.js';
import { table } from '../util/term.js';
import { choice, nonNegativeInt, positiveInt, positiveNumber, printJson, validationOption } from './options.js';

export function registerTrainCommands(program: Command): void {
  program
    .command('train')
    .description('train a model on a dataset and write a run folder (config.json, metrics.jsonl, model/, result.json)')
    .requiredOption('--model <name>', 'model name (see `convkit models`)')
    .option('--data <source>', 'mnist:embedded | mnist | fashion-mnist | IDX directory | ...', 'mnist:embedded')
    .requiredOption('--out <dir>', 'run folder to write')
    .option('--epochs <n>', 'epochs (default 16, or the model\'s own)', positiveInt)
    .option('--batch-size <n>', 'mini-batch size (default 512, or the model\'s own)', positiveInt)
    .option('--optimizer <name>', 'adam | sgd | rmsprop', choice(['adam', 'sgd', 'rmsprop']), 'adam')
    .option('--lr <x>', 'learning rate (adam 0.001, sgd 0.01)', positiveNumber)
    .option('--seed <n>', 'seed for weights, dropout and data order', nonNegativeInt, 42)
    .option('--validation <v>', '"test" (the test set) or a fraction of train held out', validationOption, 'test')
    .option('--backend <name>', 'tfjs backend: auto (fastest available) | onednn | cpu', 'auto')
    .option('--limit-train <n>', 'train on a stratified subset of n images', positiveInt)
    .option('--limit-test <n>', 'evaluate on a stratified subset of n test images', positiveInt)
    .option('--force', 'overwrite a finished run in --out', false)
    .option('--json', 'print the result as JSON on stdout', false)
    .action(async (o) => {
      const result = await trainRun({
        model: o.model,
        data: o.data,
        out: o.out,
        epochs: o.epochs,
        batchSize: o.batchSize,
        optimizer: o.optimizer,
        lr: o.lr,
        seed: o.seed,
        validation: o.validation,
        backend: o.backend,
        force: o.force,
        limitTrain: o.limitTrain,
        limitTest: o.limitTest,
      });
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
    .option('--json', 'print JSON', false)
    .action(async (dir, o) => {
      const r = await evaluateRun(dir, { data: o.data, backend: o.backend });
      if (o.json) printJson(r);
      else process.stdout.write(`${r.data}: ${r.count} images, accuracy ${(r.test_accuracy * 100).toFixed(2)} %, loss ${r.test_loss.toFixed(4)}\n`);
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
      const preds = await predictImages(dir, images, { topK: o.top, invert: o.invert, backend: o.backend });
      if (o.json) printJson(preds);
      else
        for (const p of preds) {
          process.stdout.write(`${p.file}\n${table(['class', 'name', 'probability'], p.top.map((t) => [t.class, t.name, t.probability.toFixed(4)]))}\n`);
        }
    });
}
