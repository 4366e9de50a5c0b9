// Which kernels fall back to tfjs-cpu when a recipe trains (its model, loss, optimizer, schedule and augmentation,
// through convkit's own training loop), counted by the native backend. Not a test: a check for the README.
//   node --import tsx bench/recipe-fallbacks.ts RECIPE.yaml SET.h5 [images]
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kernelStats, resetKernelStats } from '@convkit/tfjs-backend-onednn';
import { readTrainConfigFile } from '../packages/convkit/src/train/config-file.js';
import { trainRun } from '../packages/convkit/src/train/run.js';

const [recipe, set, images = '1280'] = process.argv.slice(2);
const { train } = await readTrainConfigFile(recipe);
const out = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-fallbacks-'));
resetKernelStats();
await trainRun({ ...train, data: set, out: path.join(out, 'run'), epochs: 1, limitTrain: Number(images), limitTest: 64, backend: 'onednn', progress: 'none' } as Parameters<typeof trainRun>[0], { log: () => {} });
const stats = kernelStats();
console.log(JSON.stringify({ recipe, images: Number(images), fallback: stats.fallback }, null, 1));
await fs.rm(out, { recursive: true });
