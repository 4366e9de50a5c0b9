#!/usr/bin/env node
// Runs every *.test.ts of the workspace with node's test runner (TypeScript through tsx).
// Usage: node scripts/test.mjs [substring ...]   — only files whose path contains one of the substrings.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const filters = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'build' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(path.relative(root, p));
  }
  return out;
}

const files = walk(path.join(root, 'packages'), []).filter((f) => !filters.length || filters.some((s) => f.includes(s))).sort();
if (!files.length) {
  console.error('no test files match');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { cwd: root, stdio: 'inherit' });

// The extended group: tests that need data outside the repository (packages/convkit/test-support/extended.ts, which
// names the same places). They run when it is there and are reported as skipped, with the reason, when it is not.
const extendedData = [path.resolve(root, '../shared/data/mnist'), path.resolve(root, '../shared/data/gtsrb-mini'), '/usr/share/datasets/fashion-mnist'];
const missing = extendedData.filter((p) => !existsSync(p));
if (!missing.length) console.log('extended group: ran (../shared/data and Fashion-MNIST found)');
else if (process.env.CONVKIT_EXTENDED === 'require' || process.env.CI) console.log(`extended group: required (CONVKIT_EXTENDED=require or CI set) but missing: ${missing.join(', ')}`);
else console.log(`extended group: its tests needing ${missing.join(', ')} (not found) were skipped; the reasons are in the list above ("# extended group: …")`);
process.exit(r.status ?? 1);
