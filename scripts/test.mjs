#!/usr/bin/env node
// Runs every *.test.ts of the workspace with node's test runner (TypeScript through tsx).
// Usage: node scripts/test.mjs [substring ...]   — only files whose path contains one of the substrings.
//
// Prints the tools the suite checks against (scripts/required-tools.mjs) and, after the run, every skipped test with
// its reason. Where nothing may skip (CI, or CONVKIT_EXTENDED=require as .ci/run sets) it exits 1 when a required
// tool is missing or a test of a required group (a tool's, or the extended group's) was skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { missingLine, REQUIRED_TOOLS, toolMissing, toolsRequired } from './required-tools.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const filters = process.argv.slice(2);
// node 20's --test-timeout bounds each test FILE (its process is killed and the file's tests fail): no file can hang
// CI. Waits inside a test have their own, shorter deadlines (test-support/cli.ts waitFor, `timeout` options).
const FILE_TIMEOUT_MS = Number(process.env.CONVKIT_TEST_FILE_TIMEOUT_MS) || 20 * 60_000;

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

const required = toolsRequired();
const missingTools = Object.keys(REQUIRED_TOOLS).flatMap((name) => {
  const why = toolMissing(name);
  return why ? [missingLine(name, why)] : [];
});
console.log(`required tools (scripts/required-tools.mjs): ${Object.keys(REQUIRED_TOOLS).join(', ')}${missingTools.length ? '' : ' — all found'}`);
for (const line of missingTools) console.log(`  ${line}`);

const tmp = mkdtempSync(path.join(tmpdir(), 'convkit-test-'));
const tap = path.join(tmp, 'results.tap');
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-timeout=${FILE_TIMEOUT_MS}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
{ cwd: root, stdio: 'inherit' });

// Skipped tests from the TAP copy: `ok N - NAME # SKIP REASON` (names and reasons escape '#' as '\#').
const skipped = [];
const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
for (const line of text.split('\n')) {
  const m = /^\s*ok \d+ - (.*?) # SKIP ?(.*)$/.exec(line);
  if (m) skipped.push({ name: m[1].replace(/\\#/g, '#'), reason: m[2].replace(/\\#/g, '#') || '(no reason given)' });
}
rmSync(tmp, { recursive: true, force: true });
// A required group: a test skipped for want of a listed tool, or of the extended group's data.
const requiredGroup = (reason) => reason.startsWith('required tool ') || reason.startsWith('extended group');
console.log(`\nskipped: ${skipped.length}`);
for (const s of skipped) console.log(`  - ${s.name}: ${s.reason}`);

// The extended group: tests that need data outside the repository (packages/convkit/test-support/extended.ts, which
// names the same places). They run when it is there and are reported as skipped, with the reason, when it is not.
const extendedData = [path.resolve(root, '../shared/data/mnist'), path.resolve(root, '../shared/data/gtsrb-mini'), '/usr/share/datasets/fashion-mnist'];
const missingData = extendedData.filter((p) => !existsSync(p));
if (!missingData.length) console.log('extended group: ran (../shared/data and Fashion-MNIST found)');
else if (required) console.log(`extended group: required (CONVKIT_EXTENDED=require or CI set) but missing: ${missingData.join(', ')}`);
else console.log(`extended group: its tests needing ${missingData.join(', ')} (not found) were skipped; the reasons are in the list above ("extended group: …")`);

let status = r.status ?? 1;
if (required) {
  const bad = skipped.filter((s) => requiredGroup(s.reason));
  if (missingTools.length || bad.length) {
    console.log('\nFAIL: CI (CI or CONVKIT_EXTENDED=require) needs every required tool and the extended group:');
    for (const line of missingTools) console.log(`  ${line}`);
    for (const s of bad) console.log(`  skipped: ${s.name}: ${s.reason}`);
    status = status || 1;
  }
} else if (missingTools.length) {
  console.log('(not CI: tests of a missing tool were skipped; CI=true or CONVKIT_EXTENDED=require makes them fail)');
}
process.exit(status);
