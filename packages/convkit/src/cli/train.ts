import { InvalidArgumentError, type Command } from 'commander';
import { optionError } from '../util/errors.js';
import { table } from '../util/term.js';
import { choice, nonNegativeInt, positiveInt, positiveNumber, printJson, validationOption } from './options.js';

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number >= 0, got "${value}"`);
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n >= 1) throw new InvalidArgumentError(`expected a number between 0 and 1, got "${value}"`);
  return n;
}

export function registerTrainCommands(program: Command): void {
  program
    .command('train')
    .description('train a model on a dataset and write a run folder (config.json, metrics.jsonl, checkpoints/, status.json, model/, result.json); exit codes: 0 done, 1 diverged (NaN), 2 bad input, 130/143 interrupted by SIGINT/SIGTERM (resumable)')
    .option('--config <file>', 'YAML/JSON file with a train: block (any of these options, as written here or in camelCase) and a prepare: block (size, mode, roi, test, seed) used when --data is a GTSRB folder; options given here override it')
    .option('--model <name>', 'model name (see `convkit models`); required unless --resume')
    .option('--data <source>', 'mnist:embedded | mnist | fashion-mnist | IDX directory | ...', 'mnist:embedded')
    .option('--out <dir>', 'run folder to write; required unless --resume')
    .option('--resume <dir>', 'continue an interrupted or killed run from its last checkpoint (settings from its config.json; only --epochs, --progress, --backend may change)')
    .option('--epochs <n>', 'epochs (default 16, or the model\'s own)', positiveInt)
    .option('--batch-size <n>', 'mini-batch size (default 512, or the model\'s own)', positiveInt)
    .option('--optimizer <name>', 'adam | sgd | rmsprop', choice(['adam', 'sgd', 'rmsprop']), 'adam')
    .option('--lr <x>', 'learning rate (adam 0.001, sgd 0.01)', positiveNumber)
    .option('--seed <n>', 'seed for weights, dropout and data order', nonNegativeInt, 42)
    .option('--validation <v>', 'auto (GTSRB sets: 10 % of the tracks, held out whole; other sets: the test set) | test (the course\'s habit, noted in result.json) | a fraction of train held out (whole tracks when the set has them)', validationOption, 'auto')
    .option('--backend <name>', 'tfjs backend: auto (fastest available) | onednn | cpu', 'auto')
    .option('--limit-train <n>', 'train on a stratified subset of n images', positiveInt)
    .option('--limit-test <n>', 'evaluate on a stratified subset of n test images', positiveInt)
    .option('--checkpoint-monitor <metric>', 'metric that picks checkpoints/best (max for accuracies, min for losses)', 'val_accuracy')
    .option('--save-every <n>', 'also keep checkpoints/epoch-NNN every n epochs', positiveInt)
    .option('--early-stop <patience>', 'stop when --early-stop-monitor has not improved for this many epochs', positiveInt)
    .option('--early-stop-monitor <metric>', 'metric watched by --early-stop', 'val_loss')
    .option('--min-delta <x>', 'smallest change that counts as an improvement for --early-stop', nonNegativeNumber, 0)
    .option('--restore-best', 'when stopping early, go back to the best epoch\'s weights', false)
    .option('--reduce-lr <patience>', 'multiply the learning rate by --reduce-lr-factor after this many epochs without improvement of --reduce-lr-monitor', positiveInt)
    .option('--reduce-lr-monitor <metric>', 'metric watched by --reduce-lr', 'val_loss')
    .option('--reduce-lr-factor <x>', 'factor for --reduce-lr', fraction, 0.1)
    .option('--min-lr <x>', 'lower bound for --reduce-lr', nonNegativeNumber, 0)
    .option('--lr-schedule <name>', 'constant | cosine (linear warmup, then cosine decay to --min-lr) | one-cycle | step, applied per step', choice(['constant', 'cosine', 'one-cycle', 'step']), 'constant')
    .option('--warmup-epochs <x>', 'cosine: epochs of linear warmup; one-cycle: epochs of the rising phase (default 30 %)', nonNegativeNumber)
    .option('--step-every <n>', 'step schedule: decay every n epochs', positiveInt, 10)
    .option('--step-factor <x>', 'step schedule: multiply the learning rate by x', fraction, 0.5)
    .option('--label-smoothing <x>', 'label smoothing of the cross-entropy, in [0, 1)', nonNegativeNumber, 0)
    .option('--weight-decay <x>', 'decoupled weight decay of conv/dense kernels (Adam becomes AdamW)', nonNegativeNumber, 0)
    .option('--tensorboard', 'write TensorBoard event files to OUT/tb/train and OUT/tb/validation', false)
    .option('--tb-batches', 'with --tensorboard: also batch_loss/batch_accuracy at every batch', false)
    .option('--tb-histograms', 'with --tensorboard: weight histograms every epoch', false)
    .option('--augment <spec>', 'augment each training batch on the fly, Keras units: fidle | rotation=DEG,zoom=F,shift=F (or width-shift/height-shift),shear=DEG,brightness=LO:HI,contrast=F,hflip,vflip,fill=nearest|constant|reflect,cval=X (combinable: fidle,hflip)')
    .option('--progress <mode>', 'auto (bar on a terminal, else one line per epoch) | bar | lines | none', choice(['auto', 'bar', 'lines', 'none']), 'auto')
    .option('--force', 'discard the run already in --out (finished or not; without it: exit 2)', false)
    .option('--json', 'print the result as JSON on stdout', false)
    .action(async (o, cmd: Command) => {
      let result;
      if (o.resume) {
        const allowed = new Set(['resume', 'epochs', 'progress', 'backend', 'json']);
        for (const opt of cmd.options) {
          const key = opt.attributeName();
          if (!allowed.has(key) && cmd.getOptionValueSource(key) === 'cli') throw optionError(opt.long ?? key, 'cannot be changed when resuming (the run keeps its config.json); only --epochs, --progress and --backend can');
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
    .option('--json', 'print JSON', false)
    .action(async (dir, o) => {
      const { evaluateRun } = await import('../train/inference.js');
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
      const { predictImages } = await import('../train/inference.js');
      const preds = await predictImages(dir, images, { topK: o.top, invert: o.invert, backend: o.backend });
      if (o.json) printJson(preds);
      else
        for (const p of preds) {
          process.stdout.write(`${p.file}\n${table(['class', 'name', 'probability'], p.top.map((t) => [t.class, t.name, t.probability.toFixed(4)]))}\n`);
        }
    });
}
