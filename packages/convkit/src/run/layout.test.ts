import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { repoRoot } from '../../test-support/paths.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const hooks = path.join(repoRoot, 'packages/convkit/test-support/module-probe-hooks.mjs');

/** The modules a fresh process resolves when it imports `files` (file URLs and package paths). */
async function resolvedBy(files: string[]): Promise<string[]> {
  const log = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-run-probe-')), 'resolved.txt');
  await fs.writeFile(log, '');
  const script = [
    `import { register } from 'node:module';`,
    `register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { file: ${JSON.stringify(log)} } });`,
    ...files.map((f) => `await import(${JSON.stringify(pathToFileURL(path.join(here, f)).href)});`),
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const urls = (await fs.readFile(log, 'utf8')).split('\n').filter(Boolean);
  await fs.rm(path.dirname(log), { recursive: true, force: true });
  return urls;
}

const READERS = ['layout.ts', 'config.ts', 'metrics.ts', 'status.ts', 'result.ts', 'dir.ts', 'lock.ts', 'checkpoint-files.ts'];

test('the run folder readers load no tfjs (the dashboard and the batch runner import them); checkpoint.ts does', async () => {
  const readers = await resolvedBy(READERS);
  assert.ok(readers.some((u) => u.endsWith('/run/checkpoint-files.ts')), `the probe sees what it imports: ${readers.join(', ')}`);
  assert.deepEqual(readers.filter((u) => u.includes('@tensorflow')), []);
  const writer = await resolvedBy(['checkpoint.ts']);
  assert.ok(writer.some((u) => u.includes('@tensorflow/tfjs-core')), writer.join(', '));
});
