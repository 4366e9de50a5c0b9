// Every kernel call of one training step with its input shapes and CPU time,
// to see which call of a kernel is slow. Usage:
//   node --import tsx bench/profile-calls.ts [model-id] [backend] [min-ms]
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { hookKernels, trainingSetup } from './profile_common.js';

const [id = 'gtsrb-v1-24', backendName = 'onednn', minArg = '0.2'] = process.argv.slice(2);
const calls: string[] = [];
let on = false;
hookKernels(backendName, () => on, (name, args, cpu, wall) => {
  if (cpu < Number(minArg) && wall < Number(minArg)) return;
  const shapes = Object.entries(args.inputs).map(([n, t]) => `${n}=${JSON.stringify((t as TensorInfo | undefined)?.shape)}`);
  calls.push(`${name.padEnd(32)} cpu ${cpu.toFixed(2).padStart(6)} wall ${wall.toFixed(2).padStart(6)}  ` +
    `${shapes.join(' ')} ${JSON.stringify(args.attrs ?? {}).slice(0, 120)}`);
});
const { model, x, y } = await trainingSetup(id, backendName);
for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);
on = true;
await model.trainOnBatch(x, y);
on = false;
console.log(calls.join('\n'));
