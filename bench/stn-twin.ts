// `npm run bench:stn-twin`: convkit's spatial transformer (affineGrid + gridSample, models/layers/spatial-transformer.ts)
// against PyTorch's affine_grid + grid_sample twin (bench/peers/torch_grid_sample.py) on the same random inputs: the
// sampled image and the gradients of sum(out · w) with respect to the image, theta and the grid, for convkit on onednn
// (the native OneDnnGridSample kernel) and on cpu (the same formula in tfjs ops). Prints the largest differences; not a
// test, nothing asserted (python3-torch is a benchmark peer, not a test dependency).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers tfjs's gradients
import { isAvailable, loadError } from '@convkit/tfjs-backend-onednn';
import { affineGrid, gridSample } from '../packages/convkit/src/models/layers/spatial-transformer.js';

if (!isAvailable()) throw loadError ?? new Error('onednn unavailable');

interface Case { name: string; xShape: [number, number, number, number]; outSize: [number, number]; thetaSpread: number }
const CASES: Case[] = [
  { name: 'gtsrb 32×32×3, batch 8, near the identity', xShape: [8, 32, 32, 3], outSize: [32, 32], thetaSpread: 0.1 },
  { name: 'gtsrb 32×32×3, batch 8, large transforms (many points outside)', xShape: [8, 32, 32, 3], outSize: [32, 32], thetaSpread: 0.6 },
  { name: '9×7×5 → 6×11, batch 3', xShape: [3, 9, 7, 5], outSize: [6, 11], thetaSpread: 0.3 },
];

const seeded = (shape: number[], lo: number, hi: number, seed: number) => tf.randomUniform(shape, lo, hi, 'float32', seed);

/** convkit's out, dx, dtheta, grid and dgrid on the current backend (the inputs made there from their values). */
function convkit(inputs: tf.Tensor[], [ho, wo]: [number, number]): Record<string, number[]> {
  return tf.tidy(() => {
    const [x, theta, w] = inputs.map((t) => tf.tensor(t.dataSync(), t.shape));
    const grid = affineGrid(theta, ho, wo);
    const out = gridSample(x, grid);
    const [dx, dtheta] = tf.grads((a: tf.Tensor, t: tf.Tensor) => tf.sum(tf.mul(gridSample(a, affineGrid(t, ho, wo)), w)))([x, theta]);
    const [, dgrid] = tf.grads((a: tf.Tensor, g: tf.Tensor) => tf.sum(tf.mul(gridSample(a, g), w)))([x, grid]);
    const flat = (t: tf.Tensor) => Array.from(t.dataSync());
    return { out: flat(out), dx: flat(dx), dtheta: flat(dtheta), grid: flat(grid), dgrid: flat(dgrid) };
  });
}

const payload = [];
for (const [i, c] of CASES.entries()) {
  const [b, , , ch] = c.xShape;
  const x = seeded(c.xShape, -1, 1, 10 + i);
  const theta = tf.add(tf.tensor2d([[1, 0, 0, 0, 1, 0]]), seeded([b, 6], -c.thetaSpread, c.thetaSpread, 20 + i));
  const w = seeded([b, ...c.outSize, ch], -1, 1, 30 + i);
  const results: Record<string, Record<string, number[]>> = {};
  for (const backend of ['onednn', 'cpu']) {
    await tf.setBackend(backend);
    results[backend] = convkit([x, theta, w], c.outSize);
  }
  payload.push({ name: c.name, x_shape: c.xShape, out_size: c.outSize, x: Array.from(x.dataSync()), theta: Array.from(theta.dataSync()), w: Array.from(w.dataSync()), convkit: results });
  tf.dispose([x, theta, w]);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convkit-stn-twin-'));
try {
  const file = path.join(dir, 'cases.json');
  fs.writeFileSync(file, JSON.stringify(payload));
  const script = fileURLToPath(new URL('./peers/torch_grid_sample.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) {
    console.error(`PyTorch peer failed (status ${r.status}); is python3-torch installed?`);
    process.exit(1);
  }
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown> & { case: string; backend: string; torch: string });
  console.log(`convkit vs PyTorch ${rows[0]?.torch} affine_grid + grid_sample: largest |difference| (largest |PyTorch value|)`);
  const keys = ['out', 'dx', 'dtheta', 'grid', 'dgrid'];
  console.log(['case', 'convkit backend', ...keys].join(' | '));
  for (const row of rows) {
    const cell = (k: string) => { const v = row[k] as { max_abs_diff: number; max_abs: number }; return `${v.max_abs_diff.toExponential(1)} (${v.max_abs.toPrecision(3)})`; };
    console.log([row.case, row.backend, ...keys.map(cell)].join(' | '));
  }
  // The twin must agree, not only print: every difference within 1e-5 of the largest PyTorch value (at least 1).
  const off = rows.flatMap((row) => keys.filter((k) => { const v = row[k] as { max_abs_diff: number; max_abs: number }; return !(v.max_abs_diff <= 1e-5 * Math.max(1, v.max_abs)); }).map((k) => `${row.case} (${row.backend}): ${k}`));
  if (off.length) {
    console.error(`convkit and PyTorch disagree beyond 1e-5 relative: ${off.join('; ')}`);
    process.exitCode = 1;
  } else console.log('all within 1e-5 of the largest PyTorch value');
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
