// `npm run bench`: training and inference throughput of the benchmark
// models on tfjs 'onednn', tfjs 'cpu' (tiny sample) and the PyTorch peer,
// in one run, with ratios and achieved GFLOP/s. Not a test: nothing asserted.
//
//   npm run bench -- [--rounds 3] [--seconds 5] [--models mnist-cnn,gtsrb-v1-24,gtsrb-v1-48,vit-tiny,vit-tiny-32]
//                    [--no-cpu] [--no-torch] [--threads N] [--no-inference] [--inference-seconds 3]
//
// After the training tables, the inference table (bench/inference.ts): convkit's predictor against
// onnxruntime-node on convkit's ONNX export and against tfjs-layers' predict, batch 1 and 64.
//
// onednn and the PyTorch peer are measured in alternation, `rounds` times
// (all models on onednn, then all on PyTorch, then again): this machine's
// speed drifts by ±20 % over minutes, so each round's ratio compares runs a
// minute apart, and the tables give medians over rounds (and the range of
// the per-round ratios). Before timing, each PyTorch twin's parameter count
// must equal the convkit model's, and a twin that can load the convkit model's
// weights must give the same probabilities: a mismatch stops the run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  OneDnnAdam, getNumThreads, isAvailable, loadError, onednnVersion, setNumThreads,
} from '@convkit/tfjs-backend-onednn';
import { inferenceBench, inferenceCases } from './inference.js';
import { forwardFlops, specs, syntheticBatch } from './models.js';
import type { ModelSpec } from './models.js';

const argv = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
};
const flag = (name: string): boolean => argv.includes(`--${name}`);
const seconds = Number(opt('seconds', '5'));
const rounds = Math.max(1, Number(opt('rounds', '3')));
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
  const model = spec.build();
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
  torch: string; threads: number; params: number;
  /** Only from `--same-function`: the largest difference of the class probabilities from convkit's. */
  max_abs_diff?: number;
}

/**
 * Runs bench/peers/torch_bench.py with `args`; one JSON object per model. The machine's OpenBLAS
 * settings are kept except OPENBLAS_L2_SIZE, which is unset for the peer (as docs/benchmarks.md says).
 */
function torchPeer(ids: string[], args: string[]): Map<string, TorchResult> {
  const script = fileURLToPath(new URL('./peers/torch_bench.py', import.meta.url));
  const env = { ...process.env };
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync('/usr/bin/python3', [script, '--threads', String(threads), '--models', ids.join(','), ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env });
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

/**
 * The twin given the convkit model's weights computes the same class probabilities on 16 synthetic images
 * (inference mode on both sides): the largest absolute difference.
 */
function twinDifference(spec: ModelSpec, model: tfl.LayersModel): number | undefined {
  const weights = model.layers.flatMap((layer) => layer.weights.map((w) => ({
    layer: layer.name, weight: w.originalName.split('/').pop(), shape: w.shape, values: Array.from(w.read().dataSync()),
  })));
  const { x, y } = syntheticBatch(spec, 16, 7);
  const p = model.predict(x) as tf.Tensor;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convkit-twin-'));
  try {
    const file = path.join(dir, `${spec.id}.json`);
    fs.writeFileSync(file, JSON.stringify({ model: spec.id, weights,
      x: { shape: x.shape, values: Array.from(x.dataSync()) }, y: { shape: p.shape, values: Array.from(p.dataSync()) } }));
    return torchPeer([spec.id], ['--same-function', file]).get(spec.id)?.max_abs_diff;
  } finally {
    tf.dispose([x, y, p]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Each twin must have as many parameters as the convkit model it is compared with (the twins also check their own
 * count against the architecture's formula), and compute the same function where it can load convkit's weights.
 */
function checkTwins(ids: string[]): void {
  const twins = torchPeer(ids, ['--params']);
  for (const spec of specs.filter((s) => ids.includes(s.id))) {
    const model = spec.build();
    const ours = model.countParams();
    const theirs = twins.get(spec.id)?.params;
    const diff = theirs !== undefined && spec.twinLoadsWeights ? twinDifference(spec, model) : undefined;
    model.dispose();
    if (theirs === undefined) continue; // the peer failed; it said why
    if (theirs !== ours) throw new Error(`${spec.id}: convkit has ${ours} parameters, its PyTorch twin ${theirs}`);
    if (diff !== undefined && !(diff <= 1e-4)) throw new Error(`${spec.id}: the PyTorch twin's probabilities differ from convkit's by up to ${diff}`);
    console.log(`${spec.id}: ${ours.toLocaleString('en-US')} parameters in convkit and in its PyTorch twin` +
      (diff === undefined ? '' : `; on convkit's weights the twin's probabilities differ by at most ${diff.toExponential(1)}`));
  }
}

const fmt = (v: number | undefined, d = 0): string => (v === undefined || !Number.isFinite(v) ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? `${(a / b).toFixed(2)}×` : '—');

const selected = specs.filter((s) => modelIds.includes(s.id));
const started = Object.assign(new Date(), { load: os.loadavg()[0] });
console.log(`convkit bench — ${started.toISOString()} — ${os.cpus()[0]?.model ?? 'cpu'} (${os.availableParallelism()} cores), ` +
  `oneDNN ${onednnVersion()}, ${threads} threads, Node ${process.version}, load avg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

await tf.setBackend('onednn');
if (!flag('no-torch')) checkTwins(selected.map((s) => s.id));

const onednnRounds = new Map<string, Result[]>();
const torchRounds = new Map<string, TorchResult[]>();
const cpu = new Map<string, Result>();
const flops = new Map<string, number>();
const push = <T>(m: Map<string, T[]>, k: string, v: T) => m.set(k, [...(m.get(k) ?? []), v]);
for (let round = 1; round <= rounds; round++) {
  for (const spec of selected) {
    await tf.setBackend('onednn');
    if (!flops.has(spec.id)) {
      const probe = spec.build();
      flops.set(spec.id, forwardFlops(probe));
      probe.dispose();
    }
    const r = await measure(spec, 'onednn', spec.batch, seconds, 3, 2);
    push(onednnRounds, spec.id, r);
    console.log(`[${round}/${rounds}] onednn ${spec.id}: train ${fmt(r.trainImgS)} img/s (${r.steps} steps, ` +
      `${fmt(r.trainImgCpuS)} img/CPU-s), infer ${fmt(r.inferImgS)} img/s (${fmt(r.inferImgCpuS)} img/CPU-s)`);
    if (round === 1 && !flag('no-cpu')) {
      // tfjs-cpu is ~100-1000× slower: a tiny batch, one timed step, once.
      const c = await measure(spec, 'cpu', spec.cpuBatch, 0, 1, 0);
      cpu.set(spec.id, c);
      console.log(`cpu    ${spec.id}: train ${fmt(c.trainImgS, 2)} img/s, infer ${fmt(c.inferImgS, 1)} img/s (batch ${spec.cpuBatch})`);
    }
  }
  if (flag('no-torch')) continue;
  for (const [id, t] of torchPeer(selected.map((s) => s.id), ['--seconds', String(seconds)])) {
    push(torchRounds, id, t);
    console.log(`[${round}/${rounds}] torch  ${id}: train ${fmt(t.train_img_s)} img/s (${fmt(t.train_img_cpu_s)} img/CPU-s), ` +
      `infer ${fmt(t.infer_img_s)} img/s (${fmt(t.infer_img_cpu_s)} img/CPU-s)`);
  }
}

const median = (xs: number[]): number | undefined => {
  if (!xs.length) return undefined;
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
type Key = 'trainImgS' | 'inferImgS' | 'trainImgCpuS' | 'inferImgCpuS';
const torchKey: Record<Key, keyof TorchResult> = {
  trainImgS: 'train_img_s', inferImgS: 'infer_img_s', trainImgCpuS: 'train_img_cpu_s', inferImgCpuS: 'infer_img_cpu_s',
};
const onednnMedian = (id: string, k: Key) => median((onednnRounds.get(id) ?? []).map((r) => r[k]));
const torchMedian = (id: string, k: Key) => median((torchRounds.get(id) ?? []).map((t) => t[torchKey[k]] as number));
/** Per-round ratios onednn / PyTorch: median and range. */
function ratios(id: string, k: Key): string {
  const o = onednnRounds.get(id) ?? [], t = torchRounds.get(id) ?? [];
  const rs = o.slice(0, t.length).map((r, i) => r[k] / (t[i][torchKey[k]] as number));
  const m = median(rs);
  if (m === undefined) return '—';
  return rs.length > 1 ? `${m.toFixed(2)}× (${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)})` : `${m.toFixed(2)}×`;
}

const gflops = (id: string, imgS: number | undefined, passes: number) =>
  imgS ? fmt(((flops.get(id) ?? 0) * passes * imgS) / 1e9, 1) : '—';
const torchVersion = [...torchRounds.values()][0]?.[0]?.torch;
const nRounds = Math.min(rounds, ...selected.map((s) => torchRounds.get(s.id)?.length ?? rounds));
console.log(`\n### Training (img/s, median of ${rounds} rounds; GFLOP/s counts conv+dense+attention matmuls fwd ×3 for a training step)\n`);
console.log('| model | onednn | GFLOP/s | tfjs-cpu | PyTorch | onednn / PyTorch | onednn / cpu | per CPU-s: onednn / PyTorch |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const s of selected) {
  const o = onednnMedian(s.id, 'trainImgS'), c = cpu.get(s.id)?.trainImgS;
  console.log(`| ${s.title} | ${fmt(o)} | ${gflops(s.id, o, 3)} | ${fmt(c, 2)} | ${fmt(torchMedian(s.id, 'trainImgS'))} | ` +
    `${ratios(s.id, 'trainImgS')} | ${ratio(o, c)} | ${ratios(s.id, 'trainImgCpuS')} |`);
}
console.log(`\n### Inference (img/s, same batch, median of ${rounds} rounds)\n`);
console.log('| model | onednn | GFLOP/s | tfjs-cpu | PyTorch | onednn / PyTorch | per CPU-s: onednn / PyTorch |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const s of selected) {
  const o = onednnMedian(s.id, 'inferImgS'), c = cpu.get(s.id)?.inferImgS;
  console.log(`| ${s.title} | ${fmt(o)} | ${gflops(s.id, o, 1)} | ${fmt(c, 1)} | ${fmt(torchMedian(s.id, 'inferImgS'))} | ` +
    `${ratios(s.id, 'inferImgS')} | ${ratios(s.id, 'inferImgCpuS')} |`);
}
console.log(`\nRatios are medians of the ${nRounds} per-round ratios (range in brackets); in each round every model ran ` +
  `${seconds} s on onednn, then ${seconds} s on PyTorch.`);
console.log(`\n${started.toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'cpu'}, ${threads} threads; ` +
  `tfjs 4.22 + oneDNN ${onednnVersion()}; PyTorch ${torchVersion ?? 'n/a'}; tfjs-cpu measured on a batch of ` +
  `${selected.map((s) => `${s.cpuBatch} (${s.id})`).join(' / ')} images, one step; load average at start ${started.load.toFixed(2)}, at end ` +
  `${os.loadavg()[0].toFixed(2)} (other jobs on the machine lower wall-clock img/s; the per-CPU-second ` +
  `ratio is less sensitive to them).`);

if (!flag('no-inference')) {
  console.log('');
  await inferenceBench({ rounds, seconds: Number(opt('inference-seconds', '3')), threads, cases: inferenceCases.map((c) => c.id) });
}
