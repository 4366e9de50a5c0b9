// `npm run bench`: training and inference throughput of the benchmark
// models on tfjs 'onednn', tfjs 'cpu' (tiny sample) and the PyTorch peer,
// in one run, with ratios and achieved GFLOP/s. Not a test: nothing asserted.
//
//   npm run bench -- [--seconds 10] [--models mnist-cnn,gtsrb-v1-24,gtsrb-v1-48]
//                    [--no-cpu] [--no-torch] [--threads N]
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import {
  OneDnnAdam, getNumThreads, isAvailable, loadError, onednnVersion, setNumThreads,
} from '@convkit/tfjs-backend-onednn';
import { forwardFlops, specs, syntheticBatch } from './models.js';
import type { ModelSpec } from './models.js';

const argv = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
};
const flag = (name: string): boolean => argv.includes(`--${name}`);
const seconds = Number(opt('seconds', '10'));
const modelIds = opt('models', specs.map((s) => s.id).join(',')).split(',');
if (!isAvailable()) throw loadError ?? new Error('onednn unavailable');
const threads = Number(opt('threads', String(getNumThreads())));
setNumThreads(threads);

interface Result {
  trainImgS: number; inferImgS: number; batch: number; steps: number;
  /** Images per second of process CPU time (all threads): robust to other jobs on the machine. */
  trainImgCpuS: number; inferImgCpuS: number;
}

/** Runs fn until `secs` have passed (at least minIters times) after warm-up; returns s/iter (wall and CPU). */
async function timed(fn: () => Promise<void> | void, secs: number, minIters: number, warmup: number):
  Promise<{ s: number; cpuS: number; n: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  let n = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  while (n < minIters || (performance.now() - t0) / 1000 < secs) {
    await fn();
    n++;
  }
  const c = process.cpuUsage(c0);
  return { s: (performance.now() - t0) / 1000 / n, cpuS: (c.user + c.system) / 1e6 / n, n };
}

async function measure(spec: ModelSpec, backendName: string, batch: number, secs: number,
  minIters: number, warmup: number): Promise<Result> {
  await tf.setBackend(backendName);
  const model = spec.build(true);
  const optimizer = backendName === 'onednn' ? new OneDnnAdam(0.001) : tf.train.adam(0.001);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const { x, y } = syntheticBatch(spec, batch);
  const train = await timed(async () => { await model.trainOnBatch(x, y); }, secs, minIters, warmup);
  const infer = await timed(() => {
    // The whole batch in one pass, like the PyTorch peer (tfjs-layers' predict
    // would otherwise split it into chunks of 32).
    const out = model.predict(x, { batchSize: batch }) as tf.Tensor;
    out.dataSync();
    out.dispose();
  }, secs / 2, minIters, warmup);
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return { trainImgS: batch / train.s, inferImgS: batch / infer.s, batch, steps: train.n,
    trainImgCpuS: batch / train.cpuS, inferImgCpuS: batch / infer.cpuS };
}

interface TorchResult {
  model: string; train_img_s: number; infer_img_s: number; train_img_cpu_s: number; infer_img_cpu_s: number;
  torch: string; threads: number;
}

function torchPeer(ids: string[], secs: number): Map<string, TorchResult> {
  const script = fileURLToPath(new URL('./peers/torch_bench.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, '--threads', String(threads), '--seconds', String(secs),
    '--models', ids.join(',')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const out = new Map<string, TorchResult>();
  if (r.status !== 0) {
    console.error(`PyTorch peer failed (status ${r.status}); is python3-torch installed?`);
    return out;
  }
  for (const line of r.stdout.split('\n')) {
    if (line.trim().startsWith('{')) {
      const j = JSON.parse(line) as TorchResult;
      out.set(j.model, j);
    }
  }
  return out;
}

const fmt = (v: number | undefined, d = 0): string => (v === undefined || !Number.isFinite(v) ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? `${(a / b).toFixed(2)}×` : '—');

const selected = specs.filter((s) => modelIds.includes(s.id));
const started = Object.assign(new Date(), { load: os.loadavg()[0] });
console.log(`convkit bench — ${started.toISOString()} — ${os.cpus()[0]?.model ?? 'cpu'} (${os.availableParallelism()} cores), ` +
  `oneDNN ${onednnVersion()}, ${threads} threads, Node ${process.version}, load avg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

const onednn = new Map<string, Result>();
const cpu = new Map<string, Result>();
const flops = new Map<string, number>();
for (const spec of selected) {
  await tf.setBackend('onednn');
  const probe = spec.build(false);
  flops.set(spec.id, forwardFlops(probe));
  probe.dispose();
  const r = await measure(spec, 'onednn', spec.batch, seconds, 3, 2);
  onednn.set(spec.id, r);
  console.log(`onednn ${spec.id}: train ${fmt(r.trainImgS)} img/s (${r.steps} steps, ${fmt(r.trainImgCpuS)} img/CPU-s), ` +
    `infer ${fmt(r.inferImgS)} img/s (${fmt(r.inferImgCpuS)} img/CPU-s)`);
  if (!flag('no-cpu')) {
    // tfjs-cpu is ~100-1000× slower: a tiny batch, one timed step.
    const small = spec.id === 'mnist-cnn' ? 16 : spec.id === 'gtsrb-v1-24' ? 2 : 1;
    const c = await measure(spec, 'cpu', small, 0, 1, 0);
    cpu.set(spec.id, c);
    console.log(`cpu    ${spec.id}: train ${fmt(c.trainImgS, 2)} img/s, infer ${fmt(c.inferImgS, 1)} img/s (batch ${small})`);
  }
}
const torch = flag('no-torch') ? new Map<string, TorchResult>() : torchPeer(selected.map((s) => s.id), seconds);
for (const [id, t] of torch) {
  console.log(`torch  ${id}: train ${fmt(t.train_img_s)} img/s (${fmt(t.train_img_cpu_s)} img/CPU-s), ` +
    `infer ${fmt(t.infer_img_s)} img/s (${fmt(t.infer_img_cpu_s)} img/CPU-s)`);
}

const gflops = (id: string, imgS: number | undefined, passes: number) =>
  imgS ? fmt(((flops.get(id) ?? 0) * passes * imgS) / 1e9, 1) : '—';
const torchVersion = [...torch.values()][0]?.torch;
console.log(`\n### Training (img/s; GFLOP/s counts conv+dense fwd ×3 for a training step)\n`);
console.log('| model | onednn | GFLOP/s | tfjs-cpu | PyTorch | onednn / PyTorch | onednn / cpu | per CPU-s: onednn / PyTorch |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const s of selected) {
  const o = onednn.get(s.id), c = cpu.get(s.id)?.trainImgS, t = torch.get(s.id);
  console.log(`| ${s.title} | ${fmt(o?.trainImgS)} | ${gflops(s.id, o?.trainImgS, 3)} | ${fmt(c, 2)} | ${fmt(t?.train_img_s)} | ` +
    `${ratio(o?.trainImgS, t?.train_img_s)} | ${ratio(o?.trainImgS, c)} | ${ratio(o?.trainImgCpuS, t?.train_img_cpu_s)} |`);
}
console.log(`\n### Inference (img/s, same batch)\n`);
console.log('| model | onednn | GFLOP/s | tfjs-cpu | PyTorch | onednn / PyTorch | per CPU-s: onednn / PyTorch |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const s of selected) {
  const o = onednn.get(s.id), c = cpu.get(s.id)?.inferImgS, t = torch.get(s.id);
  console.log(`| ${s.title} | ${fmt(o?.inferImgS)} | ${gflops(s.id, o?.inferImgS, 1)} | ${fmt(c, 1)} | ${fmt(t?.infer_img_s)} | ` +
    `${ratio(o?.inferImgS, t?.infer_img_s)} | ${ratio(o?.inferImgCpuS, t?.infer_img_cpu_s)} |`);
}
console.log(`\n${started.toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'cpu'}, ${threads} threads; ` +
  `tfjs 4.22 + oneDNN ${onednnVersion()}; PyTorch ${torchVersion ?? 'n/a'}; tfjs-cpu measured on a batch of ` +
  `16 (MNIST) / 2 (GTSRB 24) / 1 (GTSRB 48) images, one step; load average at start ${started.load.toFixed(2)}, at end ` +
  `${os.loadavg()[0].toFixed(2)} (other jobs on the machine lower wall-clock img/s; the per-CPU-second ` +
  `ratio is less sensitive to them).`);
