// The convolution and batch-norm tests again, with oneDNN limited to AVX2
// (ONEDNN_MAX_CPU_ISA=AVX2, what most laptops have): no Winograd kernels, other
// direct kernels, other rounding. The expectations must hold on any x86-64 CPU,
// not only on the avx512_core machine the suite usually runs on.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const root = path.resolve(pkg, '..', '..');

describe('with oneDNN limited to AVX2', () => {
  it('conv.test and batchnorm.test pass, on direct plans only', { timeout: 10 * 60_000 }, () => {
    // NODE_TEST_CONTEXT would make the inner test runner skip its files.
    const { NODE_TEST_CONTEXT: _ctx, ...outer } = process.env;
    const env = { ...outer, ONEDNN_MAX_CPU_ISA: 'AVX2' };
    const probe = spawnSync(process.execPath, ['-e', `const { addon } = await import(${JSON.stringify(path.join(pkg, 'src/native.ts'))});
      console.log(addon.convWinogradAvailable())`, '--input-type=module'], { cwd: root, env: { ...env, NODE_OPTIONS: '--import tsx' }, encoding: 'utf8' });
    assert.equal(probe.stdout.trim(), 'false', `ONEDNN_MAX_CPU_ISA=AVX2 took no effect: ${probe.stdout}${probe.stderr}`);
    const tests = ['conv.test.ts', 'batchnorm.test.ts'].map((f) => path.join(pkg, 'test', f));
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...tests],
      { cwd: root, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, env });
    const out = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, `tests failed under ONEDNN_MAX_CPU_ISA=AVX2:\n${out.slice(-5000)}`);
    assert.match(run.stdout, /no Winograd on this CPU: direct plans/);
    const passed = Number(/^# pass (\d+)$/m.exec(run.stdout)?.[1] ?? 0);
    assert.ok(passed >= 100, `only ${passed} tests passed:\n${out.slice(-3000)}`);
    assert.match(run.stdout, /^# fail 0$/m);
  });
});
