import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { RUN_FILE_NAMES as F } from '../run/layout.js';
import { PREPARE_OPTIONS } from '../prepare/options.js';
import { TRAIN_OPTIONS } from '../train/options.js';
import { optionError } from '../util/errors.js';
import { table } from '../util/term.js';
import { addTableOptions, choice, nonNegativeInt, positiveInt, positiveNumber, printJson } from './options.js';

export function registerTrainCommands(program: Command): void {
  const train = program
    .command('train')
    .description(`train a model on a dataset and write a run folder (${F.config}, ${F.metrics}, ${F.checkpoints}/, ${F.status}, ${F.model}/, ${F.result}); exit codes: 0 done, 1 diverged (NaN), 2 bad input, 130/143 interrupted by SIGINT/SIGTERM (resumable)`)
    .option('--config <file>', 'YAML/JSON file with a train: block (any of these options, as written here or in camelCase), a prepare: block (size, mode, roi, test, seed, exclude) used when --data is a GTSRB folder, an ensemble: block (members trained as parallel processes into --out, an ensemble folder) and an evaluate: block (tta: N, kept when not lower on validation); options given here override the file (docs/ensembles.md)')
    .option('--resume <dir>', `continue an interrupted or killed run from its last checkpoint (settings from its ${F.config}; only --epochs, --progress, --backend may change)`);
  // Every train setting: flag, help, parser and default from the one table the config schema is built from.
  addTableOptions(train, TRAIN_OPTIONS);
  // The prepare: block's test folder, from `convkit prepare gtsrb`'s own declaration (not a train setting: it changes the prepared set).
  addTableOptions(train, PREPARE_OPTIONS.filter((opt) => opt.key === 'testRoot'));
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
        const { input, provenance, recipe } = await trainInputFromCli(o, cmd);
        if (recipe?.ensemble) {
          const { trainEnsemble } = await import('../ensemble/recipe.js');
          const r = await trainEnsemble(input, { ensemble: recipe.ensemble, evaluate: recipe.evaluate }, { provenance });
          if (o.json) printJson(r);
          else process.stdout.write(ensembleLine(r));
          return;
        }
        result = await trainRun(input, { provenance });
        if (recipe?.evaluate) {
          const { chooseRunTta } = await import('../ensemble/recipe.js');
          result = await chooseRunTta(input.out, recipe.evaluate.tta);
        }
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
    .description('evaluate a trained run on its test set (or on --data); with --tta, averaged over test-time transforms; with --ensemble (or an ensemble folder), the runs\' averaged probabilities')
    .argument('[dir]', 'run folder, or an ensemble folder (what an ensemble recipe wrote)')
    .option('--data <source>', 'evaluate on this dataset\'s test split instead')
    .option('--ensemble <runs...>', 'average the probabilities of these runs (each with the weights its result was scored with); they must share input shape, classes and test set')
    .option('--tta <n>', 'also average over n seeded mild transforms of each image (rotation 5°, zoom 0.05, shift 0.05; transform k drawn with seed k); 0 = none', nonNegativeInt)
    .option('--split <name>', 'test | validation (the run\'s own held-out split, rebuilt from its config.json)', choice(['test', 'validation']))
    .option('--backend <name>', 'tfjs backend', 'auto')
    .option('--onnx <file>', "score this ONNX file (the run's `convkit export`) with onnxruntime-node instead of the run's model (needs onnxruntime-node installed)")
    .option('--json', 'print JSON', false)
    .action(async (dir: string | undefined, o) => {
      const { isEnsembleDir } = await import('../ensemble/folder.js');
      if (o.ensemble && dir !== undefined) throw optionError('--ensemble', `takes the runs itself; give no folder before it (got ${dir})`);
      if (!o.ensemble && dir === undefined) throw optionError('dir', 'give a run or ensemble folder (or --ensemble RUN…)');
      const averaged = o.ensemble || o.tta !== undefined || o.split !== undefined || (await isEnsembleDir(dir!));
      if (averaged) {
        if (o.data !== undefined) throw optionError('--data', 'cannot be combined with --ensemble, --tta, --split or an ensemble folder (they score the runs\' own data)');
        if (o.onnx !== undefined) throw optionError('--onnx', 'cannot be combined with --ensemble, --tta, --split or an ensemble folder');
        const { evaluateEnsemble } = await import('../ensemble/evaluate.js');
        const r = await evaluateEnsemble(o.ensemble ?? [dir!], { tta: o.tta, split: o.split, backend: o.backend });
        const pct = (x: number) => (x * 100).toFixed(2);
        const what = `${r.runs.length > 1 ? `ensemble of ${r.runs.length}` : r.runs[0]}, ${r.split}${r.validation_kind === 'test' ? ' (the runs validated on the test set)' : ''}${r.tta ? `, TTA ${r.tta}` : ''}`;
        if (o.json) printJson(r);
        else process.stdout.write(`${what}: ${r.count} images, accuracy ${pct(r.accuracy)} % (95 % interval ${pct(r.interval[0])}–${pct(r.interval[1])} %), loss ${r.loss.toFixed(4)}\n`);
        return;
      }
      const { evaluateRun } = await import('../train/inference.js');
      const r = await evaluateRun(dir!, { data: o.data, backend: o.backend, onnx: o.onnx });
      if (o.json) printJson(r);
      else process.stdout.write(`${r.data}: ${r.count} images, accuracy ${(r.test_accuracy * 100).toFixed(2)} %, loss ${r.test_loss.toFixed(4)}${o.onnx ? ' (onnxruntime)' : ''}\n`);
    });

  program
    .command('predict')
    .description('classify images (PNG, JPEG, PGM, PPM; files or folders of them) with a trained run, by batches through its compiled predictor; or time the predictor (--benchmark)')
    .argument('<dir>', 'run folder')
    .argument('[images...]', 'image files, or folders searched recursively for them')
    .option('--top <k>', 'how many classes to show', positiveInt, 3)
    .option('--invert', 'invert grey levels first (dark digit on light paper → MNIST style)', false)
    .option('--batch-size <n>', 'images per predict call', positiveInt, 64)
    .option('--csv <file>', 'write the predictions as CSV (file, then class, name, probability of each of the top k) instead of printing them')
    .option('--benchmark', 'time the predictor on random input of the run\'s shape instead (warm-up, then the median of 3 rounds of --seconds): images_per_s and latency_ms of one call of --batch-size images', false)
    .option('--seconds <s>', 'with --benchmark: length of each of the 3 timed rounds', positiveNumber, 3)
    .option('--backend <name>', 'tfjs backend (onednn runs the compiled oneDNN plan; cpu runs tfjs)', 'auto')
    .option('--json', 'print JSON', false)
    .action(async (dir, images: string[], o) => {
      // Before the native backend loads: a short OpenMP spin for batch-1 latency (docs/inference.md).
      const { spinBrieflyForLatency } = await import('../inference/threads.js');
      spinBrieflyForLatency();
      if (o.benchmark) {
        if (images.length) throw optionError('--benchmark', 'times random input: give no images with it');
        const { benchmarkRun } = await import('../train/inference.js');
        const b = await benchmarkRun(dir, { batchSize: o.batchSize, backend: o.backend, seconds: o.seconds });
        if (o.json) printJson(b);
        else {
          if (b.note) process.stderr.write(`convkit: note: ${b.note}\n`);
          process.stdout.write(`${b.engine} (${b.backend}), batch ${b.batch_size} of ${b.input_shape.join('×')}: ${Math.round(b.images_per_s)} images/s, ${b.latency_ms.toFixed(3)} ms per batch (median of ${b.rounds} rounds of ${b.seconds_per_round} s)\n`);
        }
        return;
      }
      if (!images.length) throw optionError('images', 'give image files or folders to classify (or --benchmark)');
      const { predictImages, predictionsCsv } = await import('../train/inference.js');
      const progress = predictProgress();
      const preds = await predictImages(dir, images, { topK: o.top, invert: o.invert, backend: o.backend, batchSize: o.batchSize, onProgress: progress.update });
      progress.stop();
      if (o.csv) {
        const { writeFileAtomic } = await import('../util/atomic.js');
        await writeFileAtomic(o.csv, predictionsCsv(preds, Math.min(o.top, preds[0]?.top.length ?? o.top)));
        process.stderr.write(`convkit: ${preds.length} predictions written to ${o.csv}\n`);
      } else if (o.json) printJson(preds);
      else
        for (const p of preds) {
          process.stdout.write(`${p.file}\n${table(['class', 'name', 'probability'], p.top.map((t) => [t.class, t.name, t.probability.toFixed(4)]))}\n`);
        }
    });
}

/** A bar on a terminal, nothing elsewhere (the images are counted in the closing line of --csv). */
function predictProgress() {
  let bar: cliProgress.SingleBar | null = null;
  return {
    update: (done: number, total: number) => {
      if (!process.stderr.isTTY || total <= 64) return;
      if (!bar) {
        bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'predict {bar} {value}/{total} images | ETA {eta_formatted}', barsize: 24, hideCursor: false, clearOnComplete: true }, cliProgress.Presets.shades_classic);
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}

/** The closing line of an ensemble recipe. */
function ensembleLine(r: { test_accuracy: number; test_count: number; test_interval: [number, number]; val_accuracy: number; tta: number; members: unknown[]; duration_s: number }): string {
  const pct = (x: number) => (x * 100).toFixed(2);
  return `ensemble of ${r.members.length}${r.tta ? ` with ${r.tta} TTA transforms` : ''}: test accuracy ${pct(r.test_accuracy)} % of ${r.test_count} (95 % interval ${pct(r.test_interval[0])}–${pct(r.test_interval[1])} %), validation ${pct(r.val_accuracy)} %, ${r.duration_s.toFixed(0)} s\n`;
}
