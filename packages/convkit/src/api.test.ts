// The public API as a user gets it: docs/api.md's example run as written against the built package (resolved by name
// through package.json "exports"), and the promise that importing convkit changes nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../test-support/paths.js';

const pkg = path.join(repoRoot, 'packages/convkit');

/** A temporary project where `import 'convkit'` resolves to this package, as after `npm install convkit`. */
async function project(): Promise<string> {
  assert.ok(existsSync(path.join(pkg, 'dist/index.js')), 'packages/convkit/dist/index.js is missing: run `npm run build`');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-api-'));
  await fs.mkdir(path.join(dir, 'node_modules'));
  await fs.symlink(pkg, path.join(dir, 'node_modules/convkit'), 'dir');
  return dir;
}

function node(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

test('docs/api.md: the example runs as written against the built package and prints what it did', async () => {
  const md = await fs.readFile(path.join(repoRoot, 'docs/api.md'), 'utf8');
  const code = /```js\n([\s\S]*?)```/.exec(md)?.[1];
  assert.ok(code, 'docs/api.md has a ```js example');
  const dir = await project();
  try {
    await fs.writeFile(path.join(dir, 'example.mjs'), code);
    const r = await node(['example.mjs'], dir);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, /^data: mnist\S*, 8000 train and 2000 test images, 10 classes$/m);
    assert.match(out, /^models: .*\bmnist-dnn\b.*\bgtsrb-v1\b/m);
    const trained = /^trained: test accuracy (0\.\d{4}) on (\w+); callback saw epoch 1: loss \d+\.\d{3}$/m.exec(out);
    assert.ok(trained, out);
    const evaluated = /^evaluated: 2000 images, accuracy (0\.\d{4})$/m.exec(out);
    assert.ok(evaluated, out);
    assert.equal(evaluated[1], trained[1], 'evaluating the saved run scores what training reported');
    assert.match(out, /^run: 1 epoch\(s\) in metrics\.jsonl, state completed$/m);
    const report = await fs.readFile(path.join(dir, 'runs/api-example/report.html'), 'utf8');
    assert.match(report, /<html/i);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('importing convkit sets no tfjs mode or backend and loads neither the native addon, sharp nor h5wasm', async () => {
  const dir = await project();
  try {
    const hooks = path.join(pkg, 'test-support/module-probe-hooks.mjs');
    const log = path.join(dir, 'esm.txt');
    await fs.writeFile(log, '');
    const script = `
      import { register, createRequire } from 'node:module';
      import { readFileSync } from 'node:fs';
      register(${JSON.stringify(new URL(`file://${hooks}`).href)}, { data: { file: ${JSON.stringify(log)} } });
      const api = await import('convkit');
      const require = createRequire(${JSON.stringify(path.join(pkg, 'package.json'))});
      const tf = await import(require.resolve('@tensorflow/tfjs-core'));
      const files = [...Object.keys(require.cache), ...readFileSync(${JSON.stringify(log)}, 'utf8').split('\\n')];
      console.log(JSON.stringify({
        names: Object.keys(api).length,
        prod: tf.env().getBool('PROD'),
        backendSet: tf.engine().backendName ?? null,
        heavy: files.filter((f) => /node_modules\\/(sharp|h5wasm)\\/|tfjs-backend-onednn/.test(f)),
      }));
      await api.selectBackend('cpu', () => {});
      console.log(JSON.stringify({ prod: tf.env().getBool('PROD'), backend: tf.getBackend() }));`;
    const r = await node(['--input-type=module', '-e', script], dir);
    assert.equal(r.code, 0, r.stderr);
    const [before, after] = r.stdout.trim().split('\n').slice(-2).map((l) => JSON.parse(l));
    const seen = before as { names: number; prod: boolean; backendSet: string | null; heavy: string[] };
    assert.ok(seen.names > 20, `the API has its names (${seen.names})`);
    assert.equal(seen.prod, false, 'tfjs production mode is set by selectBackend, not on import');
    assert.equal(seen.backendSet, null, 'no tfjs backend is activated on import');
    assert.deepEqual(seen.heavy, []);
    assert.deepEqual(after, { prod: true, backend: 'cpu' }, 'the probe sees what selectBackend sets');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
