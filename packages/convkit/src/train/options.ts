import type { TableOption } from '../util/option-table.js';
import { LR_SCHEDULES } from './schedules/index.js';

/** Defaults that depend on the model (its own `defaults`) or on the optimizer, so they are not the schema's. */
export const DEFAULT_EPOCHS = 16;
export const DEFAULT_BATCH_SIZE = 512;
export const DEFAULT_LR = { adam: 0.001, sgd: 0.01, rmsprop: 0.001 } as const satisfies Record<string, number>;

/** "3,5" → [3, 5]; values are checked by the schema (so "x" or "-1" fail with one line, exit 2). */
function classList(value: string): number[] {
  return value.split(',').map((v) => (/^\s*\d+\s*$/.test(v) ? Number(v) : NaN));
}

/**
 * Every setting of `convkit train`, declared once: TrainConfigSchema (config.ts) is built from this table, and so
 * are `convkit train`'s options (cli/train.ts), config files' `train:` blocks and batch jobs. A new option is one
 * line here (and its use in the training code). Plain data, so that the CLI's help loads no zod.
 */
export const TRAIN_OPTIONS = [
  { key: 'model', arg: 'name', help: 'model name (see `convkit models`); required unless --resume', value: 'nonEmptyText', required: true },
  { key: 'data', arg: 'source', help: 'mnist:embedded | mnist | fashion-mnist | IDX directory | ...', value: 'nonEmptyText', default: 'mnist:embedded' },
  { key: 'out', arg: 'dir', help: 'run folder to write; required unless --resume', value: 'nonEmptyText', required: true },
  { key: 'epochs', arg: 'n', help: `epochs (default ${DEFAULT_EPOCHS}, or the model's own)`, value: 'positiveInt' },
  { key: 'stepsPerEpoch', arg: 'n', help: "Keras's steps_per_epoch: each epoch is n full batches, cycling through the training images (default: one pass over them)", value: 'positiveInt' },
  { key: 'batchSize', arg: 'n', help: `mini-batch size (default ${DEFAULT_BATCH_SIZE}, or the model's own)`, value: 'positiveInt' },
  { key: 'optimizer', arg: 'name', help: 'adam | sgd | rmsprop', value: 'choice', choices: Object.keys(DEFAULT_LR) as (keyof typeof DEFAULT_LR)[], default: 'adam' },
  { key: 'lr', arg: 'x', help: `learning rate (adam ${DEFAULT_LR.adam}, sgd ${DEFAULT_LR.sgd}, rmsprop ${DEFAULT_LR.rmsprop})`, value: 'positiveNumber' },
  { key: 'seed', arg: 'n', help: 'seed for weights, dropout and data order', value: 'nonNegativeInt', default: 42 },
  {
    key: 'validation',
    arg: 'v',
    help: "auto (GTSRB sets: 10 % of the tracks, held out whole; other sets: the test set) | test (the course's habit, noted in the run's result) | a fraction of train held out (whole tracks when the set has them)",
    value: 'validation',
    default: 'auto',
  },
  { key: 'backend', arg: 'name', help: 'tfjs backend: auto (fastest available) | onednn | cpu', value: 'text', default: 'auto' },
  { key: 'splitSeed', arg: 'n', help: 'seed of the data split (the --limit-train and --limit-test subsets, the held-out validation); default: --seed (an ensemble\'s members share one, so they hold out the same images)', value: 'nonNegativeInt' },
  { key: 'limitTrain', arg: 'n|N%', help: 'train on a stratified subset: n images, or N % of the training set (0 < N ≤ 100; 100% = all), taken before validation is held out', value: 'countOrPercent' },
  { key: 'limitTest', arg: 'n', help: 'evaluate on a stratified subset of n test images', value: 'positiveInt' },
  { key: 'checkpointMonitor', arg: 'metric', help: 'metric that picks checkpoints/best (max for accuracies, min for losses)', value: 'nonEmptyText', default: 'val_accuracy' },
  { key: 'checkpointMode', arg: 'mode', help: 'whether --checkpoint-monitor is better when higher (max) or lower (min); auto: max for accuracies, min for losses', value: 'choice', choices: ['auto', 'min', 'max'], default: 'auto' },
  { key: 'saveEvery', arg: 'n', help: 'also keep checkpoints/epoch-NNN every n epochs', value: 'positiveInt' },
  { key: 'earlyStop', arg: 'patience', help: 'stop when --early-stop-monitor has not improved for this many epochs', value: 'positiveInt' },
  { key: 'earlyStopMonitor', arg: 'metric', help: 'metric watched by --early-stop', value: 'nonEmptyText', default: 'val_loss' },
  { key: 'minDelta', arg: 'x', help: 'smallest change that counts as an improvement for --early-stop', value: 'nonNegativeNumber', default: 0 },
  { key: 'restoreBest', help: "when stopping early, go back to the best epoch's weights", value: 'flag', default: false },
  { key: 'reduceLr', arg: 'patience', help: 'multiply the learning rate by --reduce-lr-factor after this many epochs without improvement of --reduce-lr-monitor', value: 'positiveInt' },
  { key: 'reduceLrMonitor', arg: 'metric', help: 'metric watched by --reduce-lr', value: 'nonEmptyText', default: 'val_loss' },
  { key: 'reduceLrFactor', arg: 'x', help: 'factor for --reduce-lr', value: 'fraction', default: 0.1 },
  { key: 'minLr', arg: 'x', help: 'lower bound for --reduce-lr', value: 'nonNegativeNumber', default: 0 },
  { key: 'lrSchedule', arg: 'name', help: 'constant | cosine (linear warmup, then cosine decay to --min-lr) | one-cycle | step, applied per step', value: 'choice', choices: LR_SCHEDULES, default: 'constant' },
  { key: 'warmupEpochs', arg: 'x', help: 'cosine: epochs of linear warmup; one-cycle: epochs of the rising phase (default 30 %)', value: 'nonNegativeNumber' },
  { key: 'stepEvery', arg: 'n', help: 'step schedule: decay every n epochs', value: 'positiveInt', default: 10 },
  { key: 'stepFactor', arg: 'x', help: 'step schedule: multiply the learning rate by x', value: 'fraction', default: 0.5 },
  { key: 'labelSmoothing', arg: 'x', help: 'label smoothing ε of the cross-entropy (targets y·(1 − ε) + ε/K), in [0, 1)', value: 'unitInterval', default: 0 },
  { key: 'weightDecay', arg: 'x', help: 'decoupled weight decay of conv/dense kernels, per step w ← w·(1 − lr·wd) (Adam becomes AdamW)', value: 'nonNegativeNumber', default: 0 },
  { key: 'tensorboard', help: 'write TensorBoard event files to OUT/tb/train and OUT/tb/validation', value: 'flag', default: false },
  { key: 'tensorboardBatches', flag: '--tb-batches', help: 'with --tensorboard: also batch_loss/batch_accuracy at every batch', value: 'flag', default: false },
  { key: 'tensorboardHistograms', flag: '--tb-histograms', help: 'with --tensorboard: weight histograms every epoch', value: 'flag', default: false },
  {
    key: 'augment',
    arg: 'spec',
    help: 'augment each training batch on the fly, Keras units: fidle | rotation=DEG,zoom=F,shift=F (or width-shift/height-shift),shear=DEG,brightness=LO:HI,contrast=F,hflip,vflip,fill=nearest|constant|reflect,cval=X (combinable: fidle,hflip)',
    value: 'custom',
  },
  {
    key: 'sampling',
    arg: 'mode',
    help: 'which images an epoch visits (always as many as without it): uniform (each once, shuffled) | balanced (every class equally often) | errors (a class\'s share ∝ (1 − its validation recall in --sampling-from RUN) + --sampling-floor)',
    value: 'choice',
    choices: ['uniform', 'balanced', 'errors'],
    default: 'uniform',
  },
  { key: 'samplingFrom', arg: 'run', help: "--sampling errors: the finished run whose result.json val_per_class gives each class's validation recall (the weights are copied into this run's config.json)", value: 'nonEmptyText' },
  { key: 'samplingFloor', arg: 'x', help: '--sampling errors: added to every class\'s weight, so that a class without validation errors is still seen', value: 'positiveNumber', default: 0.1 },
  { key: 'augmentClasses', arg: 'list', help: 'classes augmented more strongly, comma-separated ids (e.g. 3,5); needs --augment', value: 'custom', parse: classList },
  { key: 'augmentClassesScale', arg: 'x', help: '--augment-classes: multiply the magnitudes of --augment (rotation, shift, zoom, shear, brightness, contrast) by x for those classes, each capped to its range', value: 'positiveNumber', default: 1.5 },
  { key: 'progress', arg: 'mode', help: 'auto (bar on a terminal, else one line per epoch) | bar | lines | none', value: 'choice', choices: ['auto', 'bar', 'lines', 'none'], default: 'auto' },
  { key: 'force', help: 'discard the run already in --out (finished or not; without it: exit 2)', value: 'flag', default: false },
] as const satisfies readonly TableOption[];

export type TrainOptionKey = (typeof TRAIN_OPTIONS)[number]['key'];

/** The default of a train option, as declared in the table. */
export function trainDefault<K extends TrainOptionKey>(key: K): Extract<(typeof TRAIN_OPTIONS)[number], { key: K }> extends { default: infer D } ? D : undefined {
  return (TRAIN_OPTIONS.find((o) => o.key === key) as { default?: unknown }).default as never;
}
