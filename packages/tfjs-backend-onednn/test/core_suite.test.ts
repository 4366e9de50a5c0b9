// tfjs-core's own backend-agnostic jasmine suite (dist/tests.js of the npm package, the one
// tfjs-backend-cpu, -wasm and tfjs-node run against their backend) against `onednn`, in a child
// process (see core_suite/run.mjs; the excluded specs and why are in core_suite/exclusions.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** tfjs-core 4.22's suite holds 4,232 specs (5 of them pending); fewer executed means specs were lost. */
const MIN_EXECUTED = 4200;

test("tfjs-core's test suite passes on onednn", () => {
  const r = spawnSync(process.execPath, [path.join(here, 'core_suite', 'run.mjs')], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('CORE_SUITE '));
  assert.ok(line, `no summary from the suite (exit ${r.status}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  const s = JSON.parse(line.slice('CORE_SUITE '.length)) as { executed: number; failed: number; excluded: number; pending: number; seconds: number };
  console.log(`tfjs-core suite on onednn: ${s.executed} specs executed, ${s.failed} failed, ${s.excluded} excluded, ${s.pending} pending (${s.seconds} s)`);
  assert.equal(s.failed, 0, r.stdout.split('\n').filter((l) => !l.startsWith('CORE_SUITE')).join('\n').slice(0, 8000));
  assert.ok(s.executed >= MIN_EXECUTED, `only ${s.executed} specs executed (expected >= ${MIN_EXECUTED})`);
  assert.equal(r.status, 0);
});
