// What convkit may delete and run: `--force` discards only a run folder convkit wrote; `--resume` imports only the
// model module the run started with. Through the CLI, on real digits (mnist:embedded).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runCli, startCli, waitFor } from '../../test-support/cli.js';
import { repoRoot } from '../../test-support/paths.js';

const BASE = ['--batch-size', '16', '--limit-train', '320', '--limit-test', '100', '--seed', '5', '--backend', 'cpu', '--progress', 'lines'];
const tmp = () => fs.mkdtemp(path.join(os.tmpdir(), 'convkit-own-'));
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('convkit: error:'));
const readJson = async (f: string) => JSON.parse(await fs.readFile(f, 'utf8'));
const lastEpoch = (dir: string) => fs.readFile(path.join(dir, 'checkpoints/last/state.json'), 'utf8').then((t) => JSON.parse(t).epoch as number, () => -1);
const listing = async (dir: string) => (await fs.readdir(dir, { recursive: true })).sort();

test('train --force on a folder that is no convkit run (a project with model/, a foreign config.json) exits 2 and deletes nothing', async () => {
  const base = await tmp();
  const project = path.join(base, 'project');
  await fs.mkdir(path.join(project, 'src'), { recursive: true });
  await fs.mkdir(path.join(project, 'model'));
  await fs.writeFile(path.join(project, 'src/main.py'), 'print("mine")\n');
  await fs.writeFile(path.join(project, 'model/weights.bin'), 'w');
  const other = path.join(base, 'other');
  await fs.mkdir(path.join(other, 'checkpoints'), { recursive: true });
  await fs.writeFile(path.join(other, 'config.json'), JSON.stringify({ format: 'someone-else/2', model: 'x', data: 'y', seed: 1, dataset: {}, versions: {} }));
  for (const dir of [project, other]) {
    const before = await listing(dir);
    const r = await runCli(['train', '--model', 'mnist-dnn', ...BASE, '--epochs', '1', '--out', dir, '--force']);
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(errorLines(r.stderr), [
      `convkit: error: ${dir}: holds entries named like a run's but is no convkit run (no config.json with "format": "convkit-run/1"); --force deletes only a run convkit wrote`,
    ]);
    assert.deepEqual(await listing(dir), before, 'nothing deleted');
    assert.deepEqual((await fs.readdir(base)).filter((n) => n.startsWith('.')), [], 'nothing moved aside');
  }
});

test('train --force still discards a run written before the format marker (2026-12 fixture); the new config.json carries it', async () => {
  const dir = path.join(await tmp(), 'run');
  await fs.cp(path.join(repoRoot, 'packages/convkit/test-fixtures/old-run-2026-12/finished'), dir, { recursive: true });
  assert.equal((await readJson(path.join(dir, 'config.json'))).format, undefined);
  const r = await runCli(['train', '--model', 'mnist-dnn', ...BASE, '--epochs', '1', '--out', dir, '--force']);
  assert.equal(r.code, 0, r.stderr);
  const config = await readJson(path.join(dir, 'config.json'));
  assert.equal(config.format, 'convkit-run/1');
  assert.equal(config.modelSha256, undefined, 'a zoo model is no file');
});

test('--resume refuses a model module that changed since the run started, without importing it; the same module resumes and is named', async () => {
  const base = await tmp();
  const model = path.join(base, 'tiny-cnn.ts');
  const original = await fs.readFile(path.join(repoRoot, 'packages/convkit/test-fixtures/models/tiny-cnn.ts'), 'utf8');
  await fs.writeFile(model, original);
  const sha = createHash('sha256').update(original).digest('hex');
  const dir = path.join(base, 'run');
  const { child, done } = startCli(['train', '--model', model, ...BASE, '--epochs', '1000', '--out', dir]);
  await waitFor('a checkpoint after epoch 1', async () => (await lastEpoch(dir)) >= 1);
  child.kill('SIGINT');
  assert.equal((await done).code, 130);
  const config = await readJson(path.join(dir, 'config.json'));
  assert.equal(config.modelSha256, sha);
  const epochs = await lastEpoch(dir);

  const marker = path.join(base, 'imported');
  await fs.writeFile(model, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\n${original}`);
  const refused = await runCli(['train', '--resume', dir]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.equal(errorLines(refused.stderr).length, 1, refused.stderr);
  assert.match(errorLines(refused.stderr)[0], new RegExp(`^convkit: error: ${dir}/config.json: the model module ${model} changed since the run started \\(sha256 [0-9a-f]{12}…, the run recorded ${sha.slice(0, 12)}…\\); resume runs no other code than the run's$`));
  await assert.rejects(fs.access(marker), 'the changed module was not imported');

  await fs.writeFile(model, original);
  const resumed = await runCli(['train', '--resume', dir, '--epochs', String(epochs + 1)]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`^convkit: --resume executes the model module ${model} \\(sha256 ${sha}, as recorded\\)$`, 'm'));
});
