import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../test-support/cli.js';
import { ConvkitError } from '../util/errors.js';
import { loadBatchConfig } from './config.js';
import { planJobs } from './plan.js';
import { sbatchScript, shellQuote, slurmPaths } from './slurm.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'convkit-batch-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const modelJson = path.resolve('packages/convkit/test-fixtures/models/tiny-dense.json');

function write(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

const GOOD = `name: t
out: out
datasets: [mnist:embedded, fashion-mnist]
models: [mnist-dnn, ${modelJson}]
train:
  epochs: 1
  limit-train: 100
grid:
  lr: [0.001, 0.01]
`;

async function errorOf(text: string, sets: string[] = []): Promise<ConvkitError> {
  const f = write(`c${Math.random().toString(36).slice(2)}.yaml`, text);
  try {
    await loadBatchConfig(f, sets);
  } catch (e) {
    assert.ok(e instanceof ConvkitError, String(e));
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    assert.equal(e.file, f);
    return e;
  }
  assert.fail('expected a ConvkitError');
}

test('batch config: datasets × models × grid, ids stable and distinct, paths against the config file', async () => {
  const f = write('good.yaml', GOOD);
  const c = await loadBatchConfig(f);
  assert.equal(c.out, path.join(dir, 'out'));
  const jobs = planJobs(c);
  assert.equal(jobs.length, 8);
  assert.equal(new Set(jobs.map((j) => j.id)).size, 8);
  assert.deepEqual(planJobs(await loadBatchConfig(f)).map((j) => j.id), jobs.map((j) => j.id));
  assert.deepEqual(jobs[0].options, { epochs: 1, limitTrain: 100, lr: 0.001 });
  assert.equal(jobs[0].runDir, path.join(dir, 'out', 'runs', jobs[0].id));
  // Same job written in another key order: same id. A changed option: another id.
  const reordered = planJobs(await loadBatchConfig(write('reordered.yaml', GOOD.replace('  epochs: 1\n  limit-train: 100', '  limitTrain: 100\n  epochs: 1'))));
  assert.deepEqual(reordered.map((j) => j.id), jobs.map((j) => j.id));
  const two = planJobs(await loadBatchConfig(f, ['train.epochs=2']));
  assert.equal(two[0].options.epochs, 2);
  assert.notEqual(two[0].id, jobs[0].id);
  const rep = planJobs(await loadBatchConfig(f, ['repeats=2']));
  assert.equal(rep.length, 16);
  assert.deepEqual([rep[0].options.seed, rep[1].options.seed], [undefined, 43]);
});

test('batch config: limit-train as a grid axis of percentages and counts, in train: too', async () => {
  const f = write('sizes.yaml', GOOD.replace('  limit-train: 100\n', '').replace('  lr: [0.001, 0.01]', '  limit-train: [1%, 5%, 25%, 100%, 300]'));
  const jobs = planJobs(await loadBatchConfig(f));
  assert.equal(jobs.length, 2 * 2 * 5);
  assert.deepEqual(jobs.slice(0, 5).map((j) => j.variant.limitTrain), ['1%', '5%', '25%', '100%', 300]);
  assert.equal(new Set(jobs.map((j) => j.id)).size, jobs.length);
  const inTrain = planJobs(await loadBatchConfig(write('pct.yaml', GOOD.replace('limit-train: 100', 'limit-train: 10%'))));
  assert.equal(inTrain[0].options.limitTrain, '10%');
});

test('examples/batch/dnn-cnn-vit.yaml: `batch plan` lists 3 models × 4 training-set sizes × 2 seeds × 3 datasets, a GTSRB set still to prepare included', async () => {
  const r = await runCli(['batch', 'plan', 'examples/batch/dnn-cnn-vit.yaml', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const { jobs, missingDatasets } = JSON.parse(r.stdout) as { jobs: { modelLabel: string; datasetLabel: string; variant: { limitTrain: string }; options: { seed?: number } }[]; missingDatasets: string[] };
  assert.equal(jobs.length, 3 * 3 * 4 * 2);
  assert.deepEqual([...new Set(jobs.map((j) => j.modelLabel))], ['mnist-dnn', 'mnist-cnn', 'vit-tiny']);
  assert.deepEqual([...new Set(jobs.map((j) => j.datasetLabel))], ['mnist:embedded', 'fashion-mnist', 'set-32x32-RGB']);
  assert.deepEqual([...new Set(jobs.map((j) => j.variant.limitTrain))], ['1%', '5%', '25%', '100%']);
  assert.deepEqual([...new Set(jobs.map((j) => j.options.seed))], [undefined, 43]);
  // the set a user prepares first (see the file's header): one warning line each, and `batch run` refuses it
  const warnings = r.stderr.trim().split('\n').filter(Boolean);
  assert.equal(warnings.length, missingDatasets.length, r.stderr);
  for (const w of warnings) assert.match(w, /^convkit: warning: .*dnn-cnn-vit\.yaml:\d+: datasets\.2: not found: .*set-32x32-RGB\.h5 .*`batch run` refuses them/);
});

test('batch config: every bad input is one line naming the file, the line and the key', async () => {
  const cases: [string, RegExp][] = [
    [GOOD.replace('name: t', 'name: t\nnmae: x'), /:2: nmae: unknown key$/],
    [GOOD.replace('  epochs: 1', '  epochs: one'), /:6: train\.epochs: /],
    [GOOD.replace('  epochs: 1', '  epoch: 1'), /:6: train\.epoch: unknown key$/],
    [GOOD.replace('models: [mnist-dnn, ' + modelJson + ']', 'models: []'), /:4: models: expected at least one model$/],
    [GOOD.replace('datasets: [mnist:embedded, fashion-mnist]', 'datasets: [mnist:embedded, nowhere/set.h5]'), /:3: datasets\.1: not found: .*nowhere\/set\.h5/],
    [GOOD.replace(modelJson, 'missing-model.json'), /:4: models\.1: model file not found: /],
    [GOOD.replace(modelJson, 'resnet-9000'), /:4: models\.1: unknown model "resnet-9000"/],
    [GOOD.replace('  lr: [0.001, 0.01]', '  lr: []'), /:9: grid\.lr: expected at least one value$/],
    [GOOD.replace('  lr: [0.001, 0.01]', '  lr: [0.001, -1]'), /:9: grid\.lr: /],
    [GOOD.replace('  limit-train: 100\n', '').replace('  lr: [0.001, 0.01]', '  limit-train: [1%, 0%]'), /:8: grid\.limit-train: expected a positive integer \(a count\) or a percentage such as "25%" \(0 < N ≤ 100\), got "0%"$/],
    [GOOD.replace('limit-train: 100', 'limit-train: 120%'), /:7: train\.limit-train: expected a positive integer .*got "120%"$/],
    [GOOD.replace('  lr: [0.001, 0.01]', `  seed: [${Array.from({ length: 2501 }, (_, i) => i).join(', ')}]`), /:8: grid: 10,004 jobs .* more than 10,000$/],
    [GOOD + 'slurm:\n  time: "1:00; rm -rf /"\n', /:11: slurm\.time: expected a Slurm time limit/],
    [GOOD + 'slurm:\n  extra: ["--qos=normal --wrap=x"]\n', /:11: slurm\.extra\.0: expected one sbatch option/],
    [GOOD + 'slurm:\n  cpu-per-task: 2\n', /:11: slurm\.cpu-per-task: unknown key$/],
    [GOOD.replace('  epochs: 1', '  epochs: 1\n  out: elsewhere'), /:7: train\.out: set by the batch/],
    [GOOD.replace('name: t', 'name: "a b"'), /:1: name: expected a name/],
  ];
  for (const [text, re] of cases) assert.match((await errorOf(text)).message, re);
  assert.match((await errorOf(GOOD, ['train.epochs=zero'])).message, /train\.epochs: /);
});

test('batch run: a bad config exits 2 with one line before anything runs', async () => {
  const f = write('bad-run.yaml', GOOD.replace('fashion-mnist]', 'no-such-set.h5]'));
  const r = await runCli(['batch', 'run', f]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^convkit: error: .*bad-run\.yaml:3: datasets\.1: not found/);
  assert.ok(!readdirSync(dir).includes('out'), 'nothing written');
});

test('sbatch script: config values quoted, one array task per job', async () => {
  const c = await loadBatchConfig(write('s.yaml', GOOD + "slurm:\n  cpus-per-task: 2\n  time: '0:10:00'\n  mem: 2G\n  extra: [--qos=normal]\n"));
  const jobs = planJobs(c).slice(0, 3);
  const s = sbatchScript(c.name, jobs, c.slurm, { node: '/usr/bin/node', args: ['/x/main.js'] }, slurmPaths(c.out));
  assert.match(s, /^#SBATCH --array=0-2$/m);
  for (const l of ['--cpus-per-task=2', '--time=0:10:00', '--mem=2G', '--qos=normal', `--output=${c.out}/logs/slurm-%A_%a.out`]) assert.ok(s.includes(`#SBATCH ${l}\n`), l);
  assert.ok(s.includes(`2) ID='${jobs[2].id}'`));
  assert.equal(shellQuote("it's $HOME"), `'it'\\''s $HOME'`);
});

test('a batch job\'s config file parses back, through convkit train\'s own reader, to exactly the job\'s settings; parallel × threads must fit the cores', async () => {
  const { readTrainConfigFile } = await import('../train/config-file.js');
  const { jobConfigFile, writeJobConfigs } = await import('./job-config.js');
  const augment = 'fidle,brightness=0.8:1.2,contrast=0.2,hflip,fill=constant,cval=0.5';
  const c = await loadBatchConfig(write('handoff.yaml', GOOD.replace('  epochs: 1', `  epochs: 1\n  checkpoint-mode: max\n  tb-batches: true\n  augment: '${augment}'`) + 'repeats: 2\n'));
  const jobs = planJobs(c);
  await writeJobConfigs(c.out, jobs);
  for (const job of jobs) {
    const f = await readTrainConfigFile(jobConfigFile(c.out, job));
    assert.deepEqual(f.train, { model: job.model, data: job.dataset, out: job.runDir, progress: 'lines', ...job.options });
    assert.equal(f.train.checkpointMode, 'max');
    assert.equal(f.train.tensorboardBatches, true);
  }
  assert.ok(jobs.some((j) => j.options.seed !== undefined && j.options.seed !== 42), 'repeats differ by their seed');
  rmSync(c.out, { recursive: true, force: true });

  const { localThreads } = await import('./runner.js');
  assert.equal(localThreads(2, 8), 4);
  assert.equal(localThreads(1, 2), 2);
  assert.throws(() => localThreads(3, 2), /option --parallel: 3 jobs at once on 2 cores/);
  assert.throws(() => localThreads(2, 2, 2), /2 jobs × CONVKIT_THREADS=2 = 4 threads on 2 cores/);
  const r = await runCli(['batch', 'run', write('cores.yaml', GOOD), '--parallel', '512']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^convkit: error: option --parallel: 512 jobs at once on \d+ cores \(each job needs at least one\)\n$/);
});

test('batch run --poll and batch status --watch refuse a value that is not a positive number (exit 2, nothing run)', async () => {
  const f = write('poll.yaml', GOOD);
  for (const args of [['batch', 'run', f, '--poll', 'soon'], ['batch', 'run', f, '--poll', '0'], ['batch', 'status', f, '--watch', 'x']]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /expected a positive number, got "(soon|0|x)"/);
  }
  assert.ok(!readdirSync(dir).includes('out'), 'nothing written');
});

test('sbatch script: hostile paths reach convkit train as the same words, nothing runs', async () => {
  const { execFileSync } = await import('node:child_process');
  const { existsSync, mkdirSync } = await import('node:fs');
  const { freshArgs } = await import('./job-config.js');
  const evil = path.join(dir, "it's $(touch pwned) `touch pwned2` \"q\" \\ ; & data");
  mkdirSync(evil, { recursive: true });
  const c = await loadBatchConfig(write('evil.yaml', GOOD.replace('fashion-mnist]', `'${evil.replace(/'/g, "''")}']`)));
  const jobs = planJobs(c).filter((j) => j.dataset === evil);
  assert.equal(jobs.length, 4);
  const p = slurmPaths(c.out);
  const script = sbatchScript(c.name, jobs, c.slurm, { node: '/usr/bin/node', args: ['/x/main.js'] }, { ...p, idDir: path.join(dir, 'ids') });
  // Run the script's own shell up to its exec, which prints the words instead.
  const probe = script.replace(/^exec .*$/m, `printf '%s\\n' "$@"`);
  for (let i = 0; i < jobs.length; i++) {
    const out = execFileSync('bash', ['-c', probe], { cwd: dir, env: { ...process.env, SLURM_ARRAY_TASK_ID: String(i), SLURM_ARRAY_JOB_ID: '99', SLURM_CPUS_PER_TASK: '1' }, encoding: 'utf8' });
    assert.deepEqual(out.trimEnd().split('\n'), freshArgs(c.out, jobs[i]));
  }
  assert.ok(!existsSync(path.join(dir, 'pwned')) && !existsSync(path.join(dir, 'pwned2')));
});
