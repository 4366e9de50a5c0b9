// Every use of tfjs internals (the training-time patches, OneDnnAdam's native update, the buffer
// pool) happens only on the tfjs-core version it was written for; on another one the backend warns
// once and runs without them, with the same results.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { PATCHES_TFJS_CORE_VERSION, TFJS_VERSION_WARNING } from '../src/index.js';

const child = fileURLToPath(new URL('./unpatched_run.ts', import.meta.url));
// Kernels that only the patched ops run (fused conv gradient, max pool with workspace, moments,
// training batch norm).
const PATCH_KERNELS = ['OneDnnReluGrad', 'OneDnnMaxPoolTraining', 'OneDnnMoments', 'OneDnnBatchNormTraining'];

interface Run {
  versionCore: string; installedAgain: boolean; untouched: boolean; warnings: string[];
  cpu: number[]; onednn: number[]; native: Record<string, number>; adamNativeSteps: number; pooledBytes: number;
}

function run(versionCore?: string): Run {
  const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', child], {
    encoding: 'utf8', env: { ...env, CONVKIT_ONEDNN_PATCHES: '', TFJS_CORE_VERSION: versionCore ?? '' },
  });
  assert.equal(r.status, 0, `child failed:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Run;
}

function assertSameLosses(r: Run): void {
  r.cpu.forEach((c, i) => assert.ok(Math.abs(r.onednn[i] - c) <= 1e-3 * Math.max(1, Math.abs(c)),
    `step ${i}: onednn ${r.onednn[i]} vs cpu ${c}`));
  assert.ok(r.onednn[3] < r.onednn[0], `loss fell: ${r.onednn}`);
}

describe('tfjs-core version check of the patches', () => {
  it('tfjs-core is the version the patches were written for (tfjs stays pinned)', () => {
    const req = createRequire(import.meta.url);
    assert.equal(req('@tensorflow/tfjs-core/package.json').version, PATCHES_TFJS_CORE_VERSION);
    const pkg = req('../package.json') as { peerDependencies: Record<string, string> };
    assert.equal(pkg.peerDependencies['@tensorflow/tfjs-core'], PATCHES_TFJS_CORE_VERSION);
  });

  it('on that version, importing installs the patches and the patched kernels run', () => {
    const r = run();
    assert.equal(r.versionCore, PATCHES_TFJS_CORE_VERSION);
    assert.deepEqual(r.warnings.filter((w) => w.startsWith(TFJS_VERSION_WARNING)), []);
    assert.equal(r.installedAgain, true);
    assert.equal(r.untouched, false, 'tfjs-core members replaced');
    for (const k of PATCH_KERNELS) assert.ok((r.native[k] ?? 0) > 0, `${k} ran (${JSON.stringify(r.native)})`);
    assert.equal(r.adamNativeSteps, 4, 'OneDnnAdam took its native path');
    assert.ok(r.pooledBytes > 0, 'freed outputs went to the buffer pool');
    assertSameLosses(r);
  });

  it('on another version, importing warns once, leaves tfjs-core untouched, and training agrees with cpu', () => {
    const r = run('4.99.0');
    assert.equal(r.versionCore, '4.99.0');
    const ours = r.warnings.filter((w) => w.startsWith(TFJS_VERSION_WARNING));
    assert.equal(ours.length, 1, `one warning: ${JSON.stringify(r.warnings)}`);
    assert.match(ours[0], /written for tfjs-core 4\.22\.0, found 4\.99\.0; running without them/);
    assert.equal(r.installedAgain, false);
    assert.equal(r.untouched, true, 'no tfjs-core member replaced');
    for (const k of PATCH_KERNELS) assert.equal(r.native[k] ?? 0, 0, `${k} did not run`);
    assert.equal(r.adamNativeSteps, 0, "OneDnnAdam used tfjs's AdamOptimizer code");
    assert.equal(r.pooledBytes, 0, 'no buffer pool');
    assert.ok((r.native.Conv2D ?? 0) + (r.native.FusedConv2D ?? 0) > 0, `native conv ran (${JSON.stringify(r.native)})`);
    assertSameLosses(r);
  });
});
