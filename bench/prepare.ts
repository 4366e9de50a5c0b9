// Benchmark (not a test): convkit's GTSRB preparation against the course's scikit-image pipeline
// (bench/peers/skimage_prepare.py) on the same images in the same run, per size × mode variant.
//
// Usage: node --import tsx bench/prepare.ts [--root DIR] [--sizes 24,48] [--modes RGB,RGB-HE,L,L-HE,L-LHE,L-CLAHE]
//                                           [--limit N] [--workers N]
// --limit N: N images spread evenly over train+test (the final whole-command run uses --scale N/total).
// Realistic image sizes without the real download: python3 bench/make_gtsrb_sized.py, then --root /tmp/gtsrb-synth.
// Per variant: skimage runs resize + mode over every image, decoded once beforehand, one variant after the other
// as the notebook does; convkit runs decode + resize + mode for that variant alone on its worker threads (so its
// figure is conservative). Then convkit's real mode of work: every variant from one decoding pass ("all (1 pass)",
// against skimage's decode + sum of variants), and the whole command with the .h5 files written.
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { indexGtsrb } from '../packages/convkit/src/datasets/gtsrb.js';
import { prepareGtsrb } from '../packages/convkit/src/prepare/gtsrb.js';
import { PREPARE_MODES, type PrepareMode } from '../packages/convkit/src/image/modes.js';
import { defaultWorkers, PreparePool } from '../packages/convkit/src/prepare/pool.js';
import type { WorkerTask } from '../packages/convkit/src/prepare/worker.js';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { values: a } = parseArgs({
  options: {
    root: { type: 'string', default: path.resolve(repoRoot, '../shared/data/gtsrb-mini') },
    sizes: { type: 'string', default: '24,48' },
    modes: { type: 'string', default: PREPARE_MODES.join(',') },
    limit: { type: 'string' },
    workers: { type: 'string' },
  },
});
const sizes = a.sizes!.split(',').map(Number);
const modes = a.modes!.split(',') as PrepareMode[];
const workers = a.workers ? Number(a.workers) : defaultWorkers();

const index = await indexGtsrb(a.root!);
let samples = [...index.train, ...index.test].filter((s) => /\.ppm$/i.test(s.file));
const all = samples.length;
if (a.limit && Number(a.limit) < all) {
  // an even spread over classes and image sizes, not the first N (which would be class 0 only)
  const step = all / Number(a.limit);
  samples = Array.from({ length: Number(a.limit) }, (_, i) => samples[Math.floor(i * step)]);
}
const tasks: WorkerTask[] = [];
for (let i = 0; i < samples.length; i += 128) tasks.push({ id: tasks.length, samples: samples.slice(i, i + 128) });
console.log(`${samples.length} images from ${a.root} (${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}), convkit on ${workers} worker threads`);

// scikit-image, same files
const py = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import skimage'], { stdio: 'ignore' }).status === 0);
if (!py) throw new Error('no python3 with scikit-image (Debian: apt install python3-skimage)');
const list = path.join(os.tmpdir(), `convkit-bench-files-${process.pid}.txt`);
await fs.writeFile(list, samples.map((s) => s.file).join('\n'));
const t0 = performance.now();
const peer = spawnSync(py, [path.join(repoRoot, 'bench/peers/skimage_prepare.py'), '--sizes', sizes.join(','), '--modes', modes.join(','), '--list', list], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  maxBuffer: 1 << 24,
});
const skWall = (performance.now() - t0) / 1000;
await fs.rm(list, { force: true });
if (peer.status !== 0) throw new Error('skimage peer failed');
const sk = JSON.parse(peer.stdout) as { decode_s: number; variants: Record<string, number>; cpu: Record<string, number> };

// convkit, one variant at a time (worker start-up, ~1 s from source, is paid once before timing)
const pool = new PreparePool(workers);
await pool.run({ sizes: [sizes[0]], modes: [modes[0]], roi: false, skipBad: false }, tasks.slice(0, workers), () => {});
// (wall time, and CPU time of the whole process: main thread + workers, which the machine's load does not inflate)
const ours: Record<string, number> = {};
const oursCpu: Record<string, number> = {};
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};
for (const size of sizes) {
  for (const mode of modes) {
    const t = performance.now();
    const c = process.cpuUsage();
    await pool.run({ sizes: [size], modes: [mode], roi: false, skipBad: false }, tasks, () => {});
    ours[`${size}-${mode}`] = (performance.now() - t) / 1000;
    oursCpu[`${size}-${mode}`] = cpuSeconds(c);
  }
}
// convkit, all variants from one decoding pass (no writing), then the whole command with .h5 writing
const t = performance.now();
const c1 = process.cpuUsage();
await pool.run({ sizes, modes, roi: false, skipBad: false }, tasks, () => {});
const onePass = (performance.now() - t) / 1000;
const onePassCpu = cpuSeconds(c1);
await pool.close();
const out = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-bench-prepare-'));
const rep = await prepareGtsrb({ root: a.root!, out, sizes, modes, workers, scale: Math.min(1, samples.length / all) });
await fs.rm(out, { recursive: true, force: true });

const rows: string[][] = [];
let skSum = sk.decode_s;
let skCpuSum = sk.decode_s;
const x = (a: number, b: number) => (a / b).toFixed(1) + '×';
for (const k of Object.keys(ours)) {
  skSum += sk.variants[k];
  skCpuSum += sk.cpu[k];
  rows.push([k, sk.variants[k].toFixed(2), ours[k].toFixed(2), x(sk.variants[k], ours[k]), sk.cpu[k].toFixed(2), oursCpu[k].toFixed(2), x(sk.cpu[k], oursCpu[k])]);
}
const w = [14, 10, 12, 7, 10, 12, 7];
const line = (r: string[]) => r.map((c, i) => (i ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ');
console.log(line(['variant', 'skimage', `convkit ${workers}w`, 'wall', 'skimage', 'convkit', 'CPU']));
console.log(line(['', 'wall s', 'wall s', 'ratio', 'CPU s', 'CPU s', 'ratio']));
for (const r of rows) console.log(line(r));
console.log(line(['all (1 pass)', skSum.toFixed(2), onePass.toFixed(2), x(skSum, onePass), skCpuSum.toFixed(2), onePassCpu.toFixed(2), x(skCpuSum, onePassCpu)]));
console.log('CPU ratio = work per image, independent of other load; wall ratio ≈ CPU ratio × cores convkit could use.');
console.log(`skimage total incl. Python start-up ${skWall.toFixed(1)} s (decode ${sk.decode_s.toFixed(2)} s)`);
console.log(`convkit prepare (index, decode, ${rep.files.length} variants, .h5 files written, ${workers} workers): ${rep.seconds.toFixed(2)} s for ${rep.images} images (train+test+meta)`);
