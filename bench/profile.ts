// Per-kernel time of one training step (tf.profile), to find the next
// bottleneck. Usage: node --import tsx bench/profile.ts [model-id] [backend] [steps]
import * as tf from '@tensorflow/tfjs-core';
import { CPU_VIEW_KERNELS, kernelStats, resetKernelStats } from '@convkit/tfjs-backend-onednn';
import { hookKernels, trainingSetup } from './profile_common.js';

const [id = 'mnist-cnn', backendName = 'onednn', stepsArg = '5'] = process.argv.slice(2);

// Process CPU time per kernel (user+system, all threads): unlike tf.profile's
// wall time it is not inflated when other jobs preempt us on a shared machine.
const cpuMs = new Map<string, { ms: number; n: number }>();
let cpuOn = false;
hookKernels(backendName, () => cpuOn, (name, _args, ms) => {
  const e = cpuMs.get(name) ?? { ms: 0, n: 0 };
  e.ms += ms;
  e.n++;
  cpuMs.set(name, e);
});
const { spec, model, x, y } = await trainingSetup(id, backendName);
for (let i = 0; i < 2; i++) await model.trainOnBatch(x, y);
const steps = Number(stepsArg);
const t0 = performance.now();
for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
const ms = (performance.now() - t0) / steps;
console.log(`${id} on ${backendName}: ${ms.toFixed(1)} ms/step, ${(spec.batch / ms * 1000).toFixed(0)} img/s`);
cpuOn = true;
const c0 = process.cpuUsage();
for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
const cAll = process.cpuUsage(c0);
cpuOn = false;
const cpuTotal = (cAll.user + cAll.system) / 1000 / steps;
const inKernels = [...cpuMs.values()].reduce((a, b) => a + b.ms, 0) / steps;
console.log(`CPU time per step: ${cpuTotal.toFixed(1)} ms (${inKernels.toFixed(1)} ms in kernels)`);
for (const [name, e] of [...cpuMs.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
  console.log(`  cpu ${name.padEnd(30)} ${(e.ms / steps).toFixed(2).padStart(8)} ms  x${e.n / steps}`);
}
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
const stats = kernelStats();
console.log('fallbacks of native kernels:', JSON.stringify(stats.fallback));
const cpuCode = Object.entries(stats.cpu).filter(([name]) => !CPU_VIEW_KERNELS.includes(name));
console.log(`tfjs-cpu kernels in the step (views ${CPU_VIEW_KERNELS.join(', ')} left out):`,
  cpuCode.length ? JSON.stringify(Object.fromEntries(cpuCode)) : 'none');
