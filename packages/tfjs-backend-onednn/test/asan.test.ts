// The addon's own tests, run again against an AddressSanitizer build of the
// addon (gcc's libasan preloaded into node): any out-of-bounds access or
// use-after-free in the native code fails this test. Leak detection is off,
// since node itself does not free everything at exit; the tests' own checks
// (tf.memory(), RSS over 1,000 steps) cover leaks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTool, skipWithoutTool } from '../../../scripts/required-tools.mjs';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const root = path.resolve(pkg, '..', '..');
const libasan = spawnSync('gcc', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).stdout?.trim() ?? '';

describe('native code under AddressSanitizer', () => {
  it('the backend tests pass against an ASan build of the addon, with no ASan report',
    { skip: skipWithoutTool('asan'), timeout: 15 * 60_000 }, () => {
      requireTool('asan');
      const dir = mkdtempSync(path.join(tmpdir(), 'convkit-asan-'));
      try {
        cpSync(path.join(pkg, 'binding.gyp'), path.join(dir, 'binding.gyp'));
        cpSync(path.join(pkg, 'native'), path.join(dir, 'native'), { recursive: true });
        // npm run supplies node-gyp and the nodedir setting, as for the normal build.
        writeFileSync(path.join(dir, 'package.json'),
          JSON.stringify({ name: 'asan-build', private: true, scripts: { build: 'node-gyp rebuild --jobs=max' } }));
        const build = spawnSync('npm', ['run', 'build'], {
          cwd: dir, encoding: 'utf8',
          env: { ...process.env, NODE_PATH: path.join(root, 'node_modules'),
            CXXFLAGS: '-fsanitize=address -fno-omit-frame-pointer', LDFLAGS: '-fsanitize=address' },
        });
        assert.equal(build.status, 0, `ASan build failed:\n${build.stdout}\n${build.stderr}`);
        const addonPath = path.join(dir, 'build', 'Release', 'convkit_onednn.node');
        // NODE_TEST_CONTEXT would make the inner test runner skip its files.
        const { NODE_TEST_CONTEXT: _ctx, ...outer } = process.env;
        const env = { ...outer, LD_PRELOAD: libasan, ASAN_OPTIONS: 'detect_leaks=0:halt_on_error=1',
          CONVKIT_ONEDNN_ADDON: addonPath, CONVKIT_TEST_UNDER_ASAN: '1' };
        // The runtime really is in the test processes, and the addon is the instrumented one.
        const probe = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(addonPath)});
          const maps = require('fs').readFileSync('/proc/self/maps', 'utf8');
          console.log(/libasan/.test(maps), /convkit-asan-.*convkit_onednn/.test(maps))`], { env, encoding: 'utf8' });
        assert.equal(probe.stdout.trim(), 'true true', `ASan runtime not active: ${probe.stdout}${probe.stderr}`);
        const tests = readdirSync(path.join(pkg, 'test'))
          .filter((f) => f.endsWith('.test.ts') && f !== 'asan.test.ts' && f !== 'unavailable.test.ts' && f !== 'avx2.test.ts')
          .map((f) => path.join(pkg, 'test', f));
        const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...tests], {
          cwd: root, encoding: 'utf8', maxBuffer: 64 * 2 ** 20,
          env,
        });
        const out = `${run.stdout}\n${run.stderr}`;
        assert.doesNotMatch(out, /AddressSanitizer/, out.slice(out.indexOf('AddressSanitizer') - 200, out.indexOf('AddressSanitizer') + 3000));
        assert.equal(run.status, 0, `backend tests failed under ASan:\n${out.slice(-5000)}`);
        const passed = Number(/^# pass (\d+)$/m.exec(run.stdout)?.[1] ?? 0);
        assert.ok(passed >= 100, `only ${passed} tests passed under ASan:\n${out.slice(-3000)}`);
        assert.match(run.stdout, /^# fail 0$/m);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
});
