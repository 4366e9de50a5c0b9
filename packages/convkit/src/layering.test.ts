// The shape of src/: imports point downstream only, no cycles (dependency-cruiser, rules in .dependency-cruiser.cjs at
// the repository root; `make test` runs it on the real tree), and no module is imported for its side effects.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../test-support/paths.js';

const src = path.join(repoRoot, 'packages/convkit/src');
const config = path.join(repoRoot, '.dependency-cruiser.cjs');
const depcruise = path.join(repoRoot, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

function cruise(cwd: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [depcruise, '--config', config, '--output-type', 'err', 'packages/convkit/src'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await tsFiles(p)));
    else if (/\.(ts|mts)$/.test(e.name)) out.push(p);
  }
  return out;
}

test('no module of src/ is imported only for its side effects (import \'./x.js\' or a bare await import(\'./x.js\'))', async () => {
  const bare = /^\s*(import\s+['"]\.{1,2}\/[^'"]+['"]|await\s+import\(\s*['"]\.{1,2}\/[^'"]+['"]\s*\))\s*;?\s*(\/\/.*)?$/;
  const found: string[] = [];
  const files = await tsFiles(src);
  assert.ok(files.length > 100, `the scan sees src/ (${files.length} files)`);
  for (const f of files) {
    (await fs.readFile(f, 'utf8')).split('\n').forEach((line, i) => {
      if (bare.test(line)) found.push(`${path.relative(repoRoot, f)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, []);
  assert.ok(bare.test("import '../prepare/gtsrb-source.js'; // registers") && bare.test("      await import('./x.js');"), 'the pattern catches both forms');
});

test('the layering check passes on src/ and fails on an upstream import and on a cycle', async () => {
  const real = await cruise(repoRoot);
  assert.equal(real.code, 0, real.out);
  assert.match(real.out, /no dependency violations found \((\d{3,}) modules/);

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-layers-'));
  try {
    const put = async (rel: string, text: string) => {
      await fs.mkdir(path.dirname(path.join(tmp, 'packages/convkit/src', rel)), { recursive: true });
      await fs.writeFile(path.join(tmp, 'packages/convkit/src', rel), text);
    };
    await put('cli/main.ts', "export const main = 1;\n");
    await put('datasets/reader.ts', "import { main } from '../cli/main.js';\nexport const x = main;\n");
    await put('train/loop.ts', "import { x } from '../datasets/reader.js';\nexport const y = x;\n");
    await put('models/a.ts', "import { b } from './b.js';\nexport const a = () => b;\n");
    await put('models/b.ts', "import { a } from './a.js';\nexport const b = () => a;\n");
    const planted = await cruise(tmp);
    assert.notEqual(planted.code, 0, planted.out);
    assert.match(planted.out, /datasets-imports-downstream: packages\/convkit\/src\/datasets\/reader\.ts → packages\/convkit\/src\/cli\/main\.ts/);
    assert.match(planted.out, /no-circular: packages\/convkit\/src\/models\/(a|b)\.ts/);
    assert.doesNotMatch(planted.out, /train\/loop\.ts → /, 'a downstream import is allowed');
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
});
