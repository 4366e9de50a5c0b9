// The inference table of `npm run bench` (also runnable alone: `node --import tsx bench/inference.ts`):
// convkit's predictor (the oneDNN inference plan) against onnxruntime-node running convkit's own ONNX export of
// the same model (with its default spinning threads, and without), and against tfjs-layers' predict on the onednn backend, at batch 1 and 64, in alternating rounds
// (each round times every engine on every case for `seconds`; ratios are per round, then the median).
//
//   node --import tsx bench/inference.ts [--rounds 3] [--seconds 3] [--threads 2] [--cases v1-24,v1-48,resnet-wide]
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { getNumThreads, onednnVersion, setNumThreads } from '@convkit/tfjs-backend-onednn';
import { buildModel } from '../packages/convkit/src/models/index.js';
import { selectBackend } from '../packages/convkit/src/train/backend.js';
import { loadPredictor, type Predictor } from '../packages/convkit/src/inference/predictor.js';
import { exportOnnx, ONNX_INPUT } from '../packages/convkit/src/export/onnx.js';

export interface InferenceCase { id: string; title: string; model: string; inputShape: [number, number, number] }
export const inferenceCases: InferenceCase[] = [
  { id: 'v1-24', title: 'Fidle GTSRB v1 24×24×1', model: 'gtsrb-v1', inputShape: [24, 24, 1] },
  { id: 'v1-48', title: 'Fidle GTSRB v1 48×48×3', model: 'gtsrb-v1', inputShape: [48, 48, 3] },
  { id: 'resnet-wide', title: 'gtsrb-resnet-wide 32×32×3 (the recipe\'s model)', model: 'gtsrb-resnet-wide', inputShape: [32, 32, 3] },
];
const BATCHES = [1, 64];
// onnxruntime twice: with its defaults (intra-op threads spin while waiting for work, as in the measurement)
// and with spinning off (session.intra_op.allow_spinning 0), which suffers less when other jobs share the cores.
const ENGINES = ['plan', 'ort', 'ortNoSpin', 'tfjs'] as const;
type Engine = (typeof ENGINES)[number];

/** Calls fn (after `warmup` calls) until `secs` have passed; returns ms per call. */
async function timed(fn: () => unknown, secs: number, warmup = 5): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  let n = 0;
  const t0 = performance.now();
  while (n < 3 || performance.now() - t0 < secs * 1000) {
    await fn();
    n++;
  }
  return (performance.now() - t0) / n;
}

const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

interface Loaded { c: InferenceCase; model: tfl.LayersModel; predictor: Predictor; session: ort.InferenceSession; noSpin: ort.InferenceSession; x: Map<number, Float32Array> }

/** Runs the table; prints progress lines and the markdown table; returns ms per batch per round. */
export async function inferenceBench(opts: { rounds: number; seconds: number; threads: number; cases: string[] }): Promise<void> {
  await selectBackend('onednn');
  setNumThreads(opts.threads);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-bench-onnx-'));
  const loaded: Loaded[] = [];
  try {
    for (const c of inferenceCases.filter((k) => opts.cases.includes(k.id))) {
      // The zoo model with its initial weights: the same network and numbers in the three engines.
      const model = await buildModel(c.model, { inputShape: c.inputShape, numClasses: 43 });
      const file = path.join(dir, `${c.id}.onnx`);
      await exportOnnx(model, file);
      const ortOptions: ort.InferenceSession.SessionOptions = { intraOpNumThreads: opts.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
      const session = await ort.InferenceSession.create(file, ortOptions);
      const noSpin = await ort.InferenceSession.create(file, { ...ortOptions, extra: { session: { intra_op: { allow_spinning: '0' } } } });
      const predictor = await loadPredictor(model);
      if (predictor.engine !== 'onednn-plan') throw new Error(`${c.id}: the predictor fell back to tfjs (${predictor.note})`);
      const x = new Map(BATCHES.map((n) => [n, tf.tidy(() => tf.randomUniform([n, ...c.inputShape], 0, 1, 'float32', 1).dataSync() as Float32Array)]));
      loaded.push({ c, model, predictor, session, noSpin, x });
    }
    const run: Record<Engine, (l: Loaded, n: number) => unknown> = {
      plan: (l, n) => l.predictor.predict(l.x.get(n)!, n),
      ort: (l, n) => l.session.run({ [ONNX_INPUT]: new ort.Tensor('float32', l.x.get(n)!, [n, ...l.c.inputShape]) }),
      ortNoSpin: (l, n) => l.noSpin.run({ [ONNX_INPUT]: new ort.Tensor('float32', l.x.get(n)!, [n, ...l.c.inputShape]) }),
      tfjs: (l, n) => tf.tidy(() => (l.model.predict(tf.tensor(l.x.get(n)!, [n, ...l.c.inputShape]), { batchSize: n }) as tf.Tensor).dataSync()),
    };
    const ms = new Map<string, number[]>(); // `${case}/${batch}/${engine}` → ms per batch, one per round
    for (let round = 1; round <= opts.rounds; round++) {
      for (const l of loaded) {
        for (const n of BATCHES) {
          const line: string[] = [];
          for (const e of ENGINES) {
            const t = await timed(() => run[e](l, n), opts.seconds);
            const k = `${l.c.id}/${n}/${e}`;
            ms.set(k, [...(ms.get(k) ?? []), t]);
            line.push(`${e} ${t.toFixed(3)} ms`);
          }
          console.log(`[${round}/${opts.rounds}] inference ${l.c.id} batch ${n}: ${line.join(', ')}`);
        }
      }
    }
    const fmtRatio = (rs: number[]) => (rs.length > 1 ? `${median(rs).toFixed(2)}× (${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)})` : `${rs[0].toFixed(2)}×`);
    const ratios = (k: string, over: Engine) => ms.get(`${k}/${over}`)!.map((t, i) => t / ms.get(`${k}/plan`)![i]);
    const cell = (k: string, e: Engine, n: number) => {
      const t = median(ms.get(`${k}/${e}`)!);
      return n === 1 ? `${t.toFixed(3)} ms` : `${Math.round((n * 1000) / t).toLocaleString('en-US')} img/s`;
    };
    console.log(`\n### Inference: convkit's predictor vs onnxruntime-node (convkit's ONNX export) vs tfjs-layers predict\n`);
    console.log(`Batch 1: latency (ms per image); batch 64: throughput. Medians of ${opts.rounds} rounds of ${opts.seconds} s per engine, ` +
      `the engines alternating within each round; a ratio > 1 means the predictor is faster (per-round ratios, median and range).\n`);
    console.log('| model | batch | predictor (oneDNN plan) | onnxruntime-node | onnxruntime, no spinning | tfjs-layers predict | predictor vs onnxruntime | vs onnxruntime, no spinning | vs tfjs-layers |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const l of loaded) {
      for (const n of BATCHES) {
        const k = `${l.c.id}/${n}`;
        console.log(`| ${l.c.title} | ${n} | ${cell(k, 'plan', n)} | ${cell(k, 'ort', n)} | ${cell(k, 'ortNoSpin', n)} | ${cell(k, 'tfjs', n)} | ` +
          `${fmtRatio(ratios(k, 'ort'))} | ${fmtRatio(ratios(k, 'ortNoSpin'))} | ${fmtRatio(ratios(k, 'tfjs'))} |`);
      }
    }
    console.log(`\n${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'cpu'}, ${opts.threads} threads each ` +
      `(onnxruntime: intraOpNumThreads ${opts.threads}, sequential, all graph optimisations); oneDNN ${onednnVersion()}, ` +
      `onnxruntime-node ${(ort.env.versions as { common?: string }).common ?? '?'}, Node ${process.version}; load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')} at the end.`);
  } finally {
    for (const l of loaded) {
      l.predictor.dispose();
      l.model.dispose();
      await l.session.release();
      await l.noSpin.release();
    }
    await fs.rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const opt = (name: string, def: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
  };
  await inferenceBench({
    rounds: Number(opt('rounds', '3')), seconds: Number(opt('seconds', '3')), threads: Number(opt('threads', String(getNumThreads()))),
    cases: opt('cases', inferenceCases.map((c) => c.id).join(',')).split(','),
  });
}
