// Every kernel call of one training step with its input shapes and CPU time,
// to see which call of a kernel is slow. Usage:
//   node --import tsx bench/profile-calls.ts [model-id] [backend] [min-ms]
import * as tf from '@tensorflow/tfjs-core';
import { getKernelsForBackend, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { OneDnnAdam } from '@convkit/tfjs-backend-onednn';
import { profileSpecs, specs, syntheticBatch } from './models.js';

const [id = 'gtsrb-v1-24', backendName = 'onednn', minArg = '0.2'] = process.argv.slice(2);
const calls: string[] = [];
let on = false;
for (const k of getKernelsForBackend(backendName)) {
  const inner = k.kernelFunc;
  const wrapped: KernelConfig = { ...k, kernelFunc: ((args: Parameters<KernelFunc>[0]) => {
    if (!on) return inner(args);
    const t0 = process.cpuUsage();
    const w0 = performance.now();
    const out = inner(args);
    const d = process.cpuUsage(t0);
    const cpu = (d.user + d.system) / 1000;
    const wall = performance.now() - w0;
    if (cpu >= Number(minArg) || wall >= Number(minArg)) {
      const shapes = Object.entries(args.inputs).map(([n, t]) => `${n}=${JSON.stringify((t as TensorInfo | undefined)?.shape)}`);
      calls.push(`${k.kernelName.padEnd(32)} cpu ${cpu.toFixed(2).padStart(6)} wall ${wall.toFixed(2).padStart(6)}  ${shapes.join(' ')} ${JSON.stringify(args.attrs ?? {}).slice(0, 120)}`);
    }
    return out;
  }) as KernelFunc };
  unregisterKernel(k.kernelName, backendName);
  registerKernel(wrapped);
}
const spec = [...specs, ...profileSpecs].find((s) => s.id === id);
if (!spec) throw new Error(`unknown model ${id}`);
await tf.setBackend(backendName);
const model = spec.build(true);
model.compile({ optimizer: backendName === 'onednn' ? new OneDnnAdam() : tf.train.adam(),
  loss: 'categoricalCrossentropy' });
const { x, y } = syntheticBatch(spec, spec.batch);
for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);
on = true;
await model.trainOnBatch(x, y);
on = false;
console.log(calls.join('\n'));
