// Per-kernel time of one training step (tf.profile), to find the next
// bottleneck. Usage: node --import tsx bench/profile.ts [model-id] [backend] [steps]
import * as tf from '@tensorflow/tfjs-core';
import { OneDnnAdam, kernelStats, resetKernelStats } from '@convkit/tfjs-backend-onednn';
import { specs, syntheticBatch } from './models.js';

const [id = 'mnist-cnn', backendName = 'onednn', stepsArg = '5'] = process.argv.slice(2);
const spec = specs.find((s) => s.id === id);
if (!spec) throw new Error(`unknown model ${id}`);
await tf.setBackend(backendName);
const model = spec.build(true);
model.compile({ optimizer: backendName === 'onednn' ? new OneDnnAdam() : tf.train.adam(),
  loss: 'categoricalCrossentropy' });
const { x, y } = syntheticBatch(spec, spec.batch);
for (let i = 0; i < 2; i++) await model.trainOnBatch(x, y);
const steps = Number(stepsArg);
const t0 = performance.now();
for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
const ms = (performance.now() - t0) / steps;
console.log(`${id} on ${backendName}: ${ms.toFixed(1)} ms/step, ${(spec.batch / ms * 1000).toFixed(0)} img/s`);
resetKernelStats();
const t1 = performance.now();
const prof = await tf.profile(async () => { await model.trainOnBatch(x, y); });
const wall = performance.now() - t1;
const byName = new Map<string, { ms: number; n: number }>();
for (const k of prof.kernels) {
  const e = byName.get(k.name) ?? { ms: 0, n: 0 };
  e.ms += Number(k.kernelTimeMs) || 0;
  e.n++;
  byName.set(k.name, e);
}
const total = [...byName.values()].reduce((a, b) => a + b.ms, 0);
console.log(`profiled step: wall ${wall.toFixed(1)} ms, kernels ${total.toFixed(1)} ms`);
for (const [name, e] of [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
  console.log(`${name.padEnd(24)} ${e.ms.toFixed(2).padStart(8)} ms ${(100 * e.ms / total).toFixed(1).padStart(5)}%  x${e.n}`);
}
console.log('fallbacks of native kernels:', JSON.stringify(kernelStats().fallback));
