import type { Command } from 'commander';
import { nonNegativeInt, positiveInt, printJson } from './options.js';

/** Per-setting flags of `augment preview` (values checked by AugmentSchema, as --augment's). */
const SETTINGS: [flag: string, key: string, help: string][] = [
  ['--rotation <deg>', 'rotation', 'rotation range, degrees (angle drawn in [-r, r])'],
  ['--shift <f>', 'shift', 'width and height shift, fraction of the size'],
  ['--width-shift <f>', 'width-shift', 'horizontal shift, fraction of the width'],
  ['--height-shift <f>', 'height-shift', 'vertical shift, fraction of the height'],
  ['--zoom <f>', 'zoom', 'scale drawn in [1-f, 1+f] (each axis)'],
  ['--shear <deg>', 'shear', 'shear range, degrees (Keras units: Fidle\'s 0.1 is 0.1°)'],
  ['--brightness <lo:hi>', 'brightness', 'factor range for pixel values, e.g. 0.8:1.2'],
  ['--contrast <f>', 'contrast', 'contrast factor drawn in [1-f, 1+f]'],
  ['--fill <mode>', 'fill', 'nearest | constant | reflect'],
  ['--cval <x>', 'cval', 'value of constant fill'],
];

export function registerAugmentCommands(program: Command): void {
  const augment = program.command('augment').description('on-the-fly data augmentation (see train --augment)');
  const preview = augment
    .command('preview')
    .description('a PNG grid: training images (rows), each original beside what epochs 1..N of a run with --seed would train on')
    .requiredOption('--data <source>', 'dataset (a prepared .h5, mnist:embedded, a GTSRB folder, …)')
    .requiredOption('--out <file>', 'PNG to write')
    .option('--augment <spec>', 'fidle | rotation=10,zoom=0.2,… (as train --augment); the flags below add to it');
  for (const [flag, , help] of SETTINGS) preview.option(flag, help);
  preview
    .option('--hflip', 'flip half of the images horizontally')
    .option('--vflip', 'flip half of the images vertically')
    .option('--n <n>', 'images (rows)', positiveInt, 8)
    .option('--copies <n>', 'augmented copies per image (columns)', positiveInt, 7)
    .option('--seed <n>', 'seed (picks the images and, with the epoch, their parameters)', nonNegativeInt, 42)
    .option('--scale <n>', 'pixel magnification (default: tiles of at least 96 px)', positiveInt)
    .option('--json', 'print what was drawn as JSON', false)
    .action(async (o) => {
      const { parseWith } = await import('../util/schema.js');
      const { AugmentSchema, isActive } = await import('../train/augment/schema.js');
      const parts = o.augment ? [o.augment] : [];
      for (const [, key] of SETTINGS) {
        const v = o[key.replace(/-([a-z])/g, (_: string, ch: string) => ch.toUpperCase())];
        if (v !== undefined) parts.push(`${key}=${v}`);
      }
      if (o.hflip) parts.push('hflip');
      if (o.vflip) parts.push('vflip');
      const spec = parseWith(AugmentSchema, parts.join(','), 'augment preview') ?? parseWith(AugmentSchema, {}, 'augment preview')!;
      if (!isActive(spec)) process.stderr.write('convkit: warning: no augmentation given (e.g. --augment fidle or --rotation 10): every copy equals its original\n');
      const { selectBackend } = await import('../train/backend.js');
      await selectBackend('auto', () => {});
      const { loadDataset } = await import('../datasets/index.js');
      const dataset = await loadDataset(o.data, { seed: o.seed });
      const scale = o.scale ?? Math.max(1, Math.ceil(96 / Math.max(dataset.height, dataset.width)));
      const { previewGrid } = await import('../train/augment/preview.js');
      const { writeFileAtomic } = await import('../util/atomic.js');
      const { describeAugment } = await import('../train/augment/schema.js');
      const grid = await previewGrid(dataset, spec, { n: o.n, copies: o.copies, seed: o.seed, scale });
      await writeFileAtomic(o.out, grid.png);
      const summary = { out: o.out, width: grid.width, height: grid.height, images: grid.indices, augment: describeAugment(spec), seed: o.seed };
      if (o.json) printJson(summary);
      else process.stdout.write(`${o.out}: ${grid.indices.length} images × (original + ${o.copies} copies), ${grid.width}×${grid.height} px, ${summary.augment}\n`);
    });
}
