// Cost of on-the-fly augmentation relative to a training step (issue 10's goal: ≤ 10 % of a GTSRB v1
// 24×24 step). Not a test: nothing asserted.
//
//   node --import tsx bench/augment.ts [--rounds 3] [--seconds 3] [--models gtsrb-v1-24,gtsrb-v1-48]
//
// Per round and model: the training step (trainOnBatch, onednn, native Adam) on a batch, then the
// augmentation of that batch (drawParams for every image + the batched warp + contrast/brightness) with the
// native Transform kernel, then with the JS warp (what the cpu backend uses), alternating so that the
// machine's drift hits all alike. Times are wall-clock and process CPU (all threads), medians over rounds.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { OneDnnAdam, getNumThreads, isAvailable, loadError } from '@convkit/tfjs-backend-onednn';
import { probeNativeBackend } from '../packages/convkit/src/train/backend.js';
import { augmentBatch } from '../packages/convkit/src/train/augment/augment.js';
import { affineRow, drawParams } from '../packages/convkit/src/train/augment/params.js';
import { AugmentSchema, type AugmentSpec } from '../packages/convkit/src/train/augment/schema.js';
import { warpJs } from '../packages/convkit/src/train/augment/warp.js';
import { specs, syntheticBatch } from './models.js';

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
};
const rounds = Number(opt('rounds', '3'));
const seconds = Number(opt('seconds', '3'));
const modelIds = opt('models', 'gtsrb-v1-24,gtsrb-v1-48').split(',');
if (!isAvailable()) throw loadError ?? new Error('onednn unavailable');
await probeNativeBackend();
tf.enableProdMode(); // as selectBackend does (importing convkit's backend module no longer does)
await tf.setBackend('onednn');

async function timed(fn: () => Promise<void> | void, secs: number, warmup = 3): Promise<{ wall: number; cpu: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  let n = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  while (n < 5 || (performance.now() - t0) / 1000 < secs) {
    await fn();
    n++;
  }
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / n, cpu: (c.user + c.system) / 1000 / n };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const settings: [string, AugmentSpec][] = [
  ['fidle', AugmentSchema.parse('fidle')!],
  ['fidle+brightness+contrast+hflip', AugmentSchema.parse('fidle,brightness=0.8:1.2,contrast=0.2,hflip')!],
];

console.log(`augmentation vs training step — ${new Date().toISOString()}, ${getNumThreads()} threads, ${rounds} rounds × ${seconds} s`);
for (const id of modelIds) {
  const spec = specs.find((s) => s.id === id);
  if (!spec) throw new Error(`unknown model ${id}`);
  const model = spec.build();
  model.compile({ optimizer: new OneDnnAdam(0.001) as unknown as tf.Optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const { x, y } = syntheticBatch(spec, spec.batch);
  const [n, h, w, c] = x.shape;
  const indices = Int32Array.from({ length: n }, (_, i) => i * 7);
  const pixels = x.dataSync() as Float32Array;
  const rows: Record<string, { wall: number[]; cpu: number[] }> = {};
  const add = (k: string, r: { wall: number; cpu: number }) => {
    rows[k] ??= { wall: [], cpu: [] };
    rows[k].wall.push(r.wall);
    rows[k].cpu.push(r.cpu);
  };
  let epoch = 0;
  for (let round = 0; round < rounds; round++) {
    add('training step', await timed(async () => void (await model.trainOnBatch(x, y)), seconds));
    for (const [name, s] of settings) {
      add(`augment ${name} (native warp)`, await timed(() => augmentBatch(x, indices, 42, ++epoch, s).dispose(), seconds));
    }
    const fidle = settings[0][1];
    add('augment fidle (JS warp, as on cpu)', await timed(() => {
      const params = Array.from(indices, (i) => drawParams(42, ++epoch, i, fidle));
      const t = new Float32Array(n * 8);
      params.forEach((p, i) => t.set(affineRow(p, h, w), i * 8));
      tf.tensor4d(warpJs(pixels, [n, h, w, c], t, fidle.fill, fidle.cval), [n, h, w, c]).dispose();
    }, seconds));
    add('drawParams alone', await timed(() => void Array.from(indices, (i) => drawParams(42, ++epoch, i, fidle)), seconds));
  }
  const step = { wall: median(rows['training step'].wall), cpu: median(rows['training step'].cpu) };
  console.log(`\n${spec.title}`);
  console.log('| | wall ms | CPU ms | % of a step (wall) | % of a step (CPU) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [k, r] of Object.entries(rows)) {
    const wall = median(r.wall);
    const cpu = median(r.cpu);
    console.log(`| ${k} | ${wall.toFixed(2)} | ${cpu.toFixed(2)} | ${k === 'training step' ? '' : ((100 * wall) / step.wall).toFixed(1) + ' %'} | ${k === 'training step' ? '' : ((100 * cpu) / step.cpu).toFixed(1) + ' %'} |`);
  }
  tf.dispose([x, y]);
  model.dispose();
}
