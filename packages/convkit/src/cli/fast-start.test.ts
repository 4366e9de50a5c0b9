import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gtsrbFixtureDir, repoRoot } from '../../test-support/paths.js';

// Commands that compute import tfjs, the native addon, sharp and h5wasm inside their action (`await import(...)`);
// help and the listings must answer without them. Checked on what the process loaded, not on a timing.
const HEAVY = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu', '@convkit/tfjs-backend-onednn', 'sharp', 'h5wasm', 'zod'];

interface Loaded {
  code: number;
  packages: string[];
  nativeLibraries: string[];
}

async function probe(args: string[]): Promise<Loaded> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-probe-'));
  try {
    const out = path.join(dir, 'loaded.json');
    const script = path.join(repoRoot, 'packages/convkit/test-support/module-probe.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, out, ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(status, 0, `the probe itself failed: ${stderr}`);
    return JSON.parse(await fs.readFile(out, 'utf8')) as Loaded;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

for (const args of [['--help'], ['models'], ['models', '--json'], ['datasets'], ['train', '--help'], ['prepare', 'gtsrb', '--help'], ['batch', 'run', '--help'], ['audit', '--help'], ['export', '--help']]) {
  test(`convkit ${args.join(' ')} loads neither tfjs, the native addon, sharp, h5wasm nor zod`, async () => {
    const r = await probe(args);
    assert.equal(r.code, 0);
    assert.ok(r.packages.includes('commander'), `the probe sees the packages it loads: ${r.packages.join(', ')}`);
    assert.deepEqual(r.packages.filter((p) => HEAVY.includes(p)), []);
    assert.deepEqual(r.nativeLibraries, []);
  });
}

// The probe can fail: a command that computes loads them (and fails on its bad input before doing any work).
test('the probe sees tfjs loaded by train, and sharp with its native library loaded by analyse', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-probe-'));
  const train = await probe(['train', '--model', 'no-such-model', '--out', path.join(dir, 'run')]);
  assert.equal(train.code, 2);
  assert.ok(train.packages.includes('@tensorflow/tfjs-core') && train.packages.includes('@tensorflow/tfjs-layers'), train.packages.join(', '));
  // sharp loads when the first thumbnail is drawn (not on import), so the probe analyses a real folder, with one sample per class.
  const analyse = await probe(['analyse', 'gtsrb', gtsrbFixtureDir, '--samples', '1', '--out', path.join(dir, 'out')]);
  await fs.rm(dir, { recursive: true, force: true });
  assert.equal(analyse.code, 0);
  assert.ok(analyse.packages.includes('sharp'), analyse.packages.join(', '));
  assert.ok(analyse.nativeLibraries.some((l) => l.endsWith('.node')), analyse.nativeLibraries.join(', '));
});
