// Child process of tfjs_version.test.ts. With TFJS_CORE_VERSION set, it makes the installed
// tfjs-core report that version before the backend is imported (as another tfjs-core release
// would), then trains a small CNN (conv + relu, batch norm, max pool, dense + relu) for a few
// steps on onednn and on cpu from the same weights, and prints what it saw as JSON.
import { createRequire } from 'node:module';

const tfcCjs = createRequire(import.meta.url)('@tensorflow/tfjs-core') as Record<string, unknown> & {
  fused: Record<string, unknown>;
};
if (process.env.TFJS_CORE_VERSION) tfcCjs.version_core = process.env.TFJS_CORE_VERSION;
const members = ['dropout', 'maxPool', 'moments', 'batchNorm', 'batchNorm2d', 'batchNorm3d', 'batchNorm4d'];
const before = [...members.map((m) => tfcCjs[m]), tfcCjs.fused.conv2d, tfcCjs.fused.matMul];
const warnings: string[] = [];
process.on('warning', (w) => warnings.push(`${(w as Error & { code?: string }).code}: ${w.message}`));

const tf = await import('@tensorflow/tfjs-core');
const tfl = await import('@tensorflow/tfjs-layers');
const backend = await import('../src/index.js');
const installedAgain = backend.installPatches(); // a second attempt does not warn again
const after = [...members.map((m) => tfcCjs[m]), tfcCjs.fused.conv2d, tfcCjs.fused.matMul];

function model() {
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 3, activation: 'relu' }));
  m.add(tfl.layers.batchNormalization());
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 8, activation: 'relu' }));
  m.add(tfl.layers.dense({ units: 3, activation: 'softmax' }));
  return m;
}
let s = 7;
const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
const xs = Float32Array.from({ length: 8 * 12 * 12 * 3 }, rnd);
const ys = Float32Array.from({ length: 8 * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
let adamNativeSteps = -1, pooledBytes = -1;
let weights: { data: Float32Array; shape: number[] }[] | undefined;

async function train(name: string): Promise<number[]> {
  await tf.setBackend(name);
  const m = model();
  if (!weights) weights = m.getWeights().map((w) => ({ data: w.dataSync() as Float32Array, shape: w.shape }));
  else m.setWeights(weights.map((w) => tf.tensor(w.data, w.shape)));
  const opt = name === 'onednn' ? new backend.OneDnnAdam(0.01) : tf.train.adam(0.01);
  m.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
  const x = tf.tensor4d(xs, [8, 12, 12, 3]), y = tf.tensor2d(ys, [8, 3]);
  const losses: number[] = [];
  for (let i = 0; i < 4; i++) losses.push(await m.trainOnBatch(x, y) as number);
  tf.dispose([x, y]);
  m.dispose();
  // (not instanceof: tfjs's Optimizer answers instanceof by duck typing)
  if (name === 'onednn') {
    adamNativeSteps = (opt as InstanceType<typeof backend.OneDnnAdam>).nativeSteps;
    pooledBytes = (tf.backend() as InstanceType<typeof backend.OneDnnBackend>).pooledByteCount();
  }
  return losses;
}

const cpu = await train('cpu');
backend.resetKernelStats();
const onednn = await train('onednn');
await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
console.log(JSON.stringify({
  versionCore: tf.version_core, installedAgain, untouched: before.every((f, i) => f === after[i]),
  warnings, cpu, onednn, native: backend.kernelStats().native, adamNativeSteps, pooledBytes,
}));
