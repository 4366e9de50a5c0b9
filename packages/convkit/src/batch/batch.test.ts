// A real 2 models × 2 datasets batch through the local pool and through a real single-node Slurm cluster
// (scripts/slurm-test-cluster.sh): each run is interrupted after its first finished job, then rerun to the end.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { requireTool, skipWithoutTool } from '../../../../scripts/required-tools.mjs';
import { extended } from '../../test-support/extended.js';
import { startCli, type CliResult } from '../../test-support/cli.js';
import { fashionMnistDir, repoRoot } from '../../test-support/paths.js';
import { runCli as runCliInProcess } from '../../test-support/prepare.js';
import type { BatchTable } from '../report/batch-table.js';
import type { JobRecord } from './results.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'convkit-batch-'));
const modelJson = path.join(repoRoot, 'packages/convkit/test-fixtures/models/tiny-dense.json');

function config(name: string, extra = ''): string {
  const f = path.join(dir, `${name}.yaml`);
  writeFileSync(
    f,
    `name: ${name}\nout: ${name}-out\ndatasets: [mnist:embedded, fashion-mnist]\nmodels: [mnist-dnn, ${modelJson}]\n` +
      `train:\n  epochs: 1\n  batch-size: 64\n  limit-train: 400\n  limit-test: 400\n${extra}`,
  );
  return f;
}

/** Runs the CLI; with `interruptWhen`, sends SIGINT to the batch once that file has a first line. */
async function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; interruptWhen?: string } = {}): Promise<CliResult> {
  const { child, done } = startCli(args, { env: opts.env, timeoutMs: 600_000 });
  let poll: NodeJS.Timeout | undefined;
  if (opts.interruptWhen) {
    const file = opts.interruptWhen;
    poll = setInterval(() => {
      if (existsSync(file) && readFileSync(file, 'utf8').includes('\n')) {
        clearInterval(poll);
        child.kill('SIGINT');
      }
    }, 100);
  }
  try {
    return await done;
  } finally {
    clearInterval(poll);
  }
}

const records = (out: string): JobRecord[] =>
  readFileSync(path.join(out, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

/**
 * The accuracy one epoch of training must beat: twice chance (0.1 on 10 classes), 6.7 standard errors of a guesser's
 * score on 400 test images (±0.015) above it. Seen: 0.27, 0.36, 0.45 and 0.59 for the four jobs.
 */
const TRAINED_BASELINE = 0.2;

/** Interrupt after the first finished job, check nothing is lost, rerun, check only the missing jobs ran. */
async function killAndRerun(cfg: string, out: string, args: string[], env?: NodeJS.ProcessEnv): Promise<JobRecord[]> {
  const first = await cli(['batch', 'run', cfg, ...args], { env, interruptWhen: path.join(out, 'results.jsonl') });
  assert.equal(first.code, 130, first.stderr);
  assert.match(first.stderr, /interrupted by SIGINT; rerun/);
  const before = records(out);
  const doneBefore = before.filter((r) => r.status === 'completed');
  assert.ok(doneBefore.length >= 1 && doneBefore.length < 4, `${doneBefore.length} completed before the rerun`);
  const resultTimes = new Map(doneBefore.map((r) => [r.job_id, statSync(path.join(r.run_dir, 'result.json')).mtimeMs]));

  const status = await runCliInProcess(['batch', 'status', cfg, '--json']);
  assert.equal(status.code, 0, status.stderr);
  const counts = JSON.parse(status.stdout).counts;
  assert.equal(counts.done, doneBefore.length);
  assert.equal(counts.running, 0);

  const second = await cli(['batch', 'run', cfg, ...args], { env });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, new RegExp(`${doneBefore.length} done or running, ${4 - doneBefore.length} to run`));
  const all = records(out);
  const completed = all.filter((r) => r.status === 'completed');
  assert.equal(completed.length, 4, JSON.stringify(all, null, 1));
  assert.equal(new Set(completed.map((r) => r.job_id)).size, 4, 'each job completed once');
  for (const [id, t] of resultTimes) assert.equal(statSync(path.join(out, 'runs', id, 'result.json')).mtimeMs, t, `${id} was not rerun`);
  for (const r of completed) {
    // chance on 10 balanced classes is 0.1; one epoch (7 steps on 400 images) trains each model well past it
    assert.ok(r.test_accuracy! > TRAINED_BASELINE && r.test_accuracy! <= 1, `accuracy ${r.test_accuracy} (trained baseline ${TRAINED_BASELINE})`);
    assert.ok(r.best_val_accuracy !== null && r.best_epoch === 1 && r.duration_s! > 0 && r.images_per_s! > 0);
    assert.equal(r.run_dir, path.join(out, 'runs', r.job_id));
    for (const f of ['config.json', 'metrics.jsonl', 'status.json', 'result.json', 'model', 'checkpoints']) assert.ok(existsSync(path.join(r.run_dir, f)), `${r.job_id}/${f}`);
  }
  return completed;
}

// The two datasets of config() include Debian's Fashion-MNIST: these tests are in the extended group (test-support/extended.ts).
test('batch, local pool: 2 models × 2 datasets, Ctrl-C after the first job, rerun finishes only what was missing, report matches the records', extended(fashionMnistDir), async () => {
  const cfg = config('local');
  const out = path.join(dir, 'local-out');
  const plan = await runCliInProcess(['batch', 'plan', cfg, '--json']);
  assert.equal(plan.code, 0, plan.stderr);
  assert.equal(JSON.parse(plan.stdout).jobs.length, 4);

  const completed = await killAndRerun(cfg, out, ['--parallel', '1'], { CONVKIT_THREADS: '1' });
  assert.ok(completed.every((r) => r.executor === 'local' && r.slurm_job_id === null));

  // The report's table is the records: one row per dataset, one column per model, best marked.
  const md = path.join(dir, 'local.md');
  const rep = await runCliInProcess(['report', out, '--json', '--md', md]);
  assert.equal(rep.code, 0, rep.stderr);
  const t = JSON.parse(rep.stdout) as BatchTable;
  assert.deepEqual(t.rows.map((r) => r.dataset), ['mnist:embedded', 'fashion-mnist']);
  assert.deepEqual(t.columns, ['mnist-dnn', 'tiny-dense']);
  for (const r of completed) assert.equal(t.rows.find((x) => x.dataset === r.dataset_label)!.cells[r.model_label].accuracy, r.test_accuracy);
  const top = completed.reduce((a, b) => (b.test_accuracy! > a.test_accuracy! ? b : a));
  assert.deepEqual(t.best, { dataset: top.dataset_label, column: top.model_label, accuracy: top.test_accuracy });
  for (const col of t.columns) {
    const best = t.rows.map((r) => r.cells[col]).filter((c) => c.best);
    assert.equal(best.length, 1);
    assert.equal(best[0].accuracy, Math.max(...t.rows.map((r) => r.cells[col].accuracy!)));
  }
  const mdText = readFileSync(md, 'utf8');
  assert.match(mdText, /\| dataset \| mnist-dnn accuracy \| mnist-dnn duration \| tiny-dense accuracy \| tiny-dense duration \|/);
  assert.equal(mdText.match(/\*\*\d+\.\d\d %\*\*/g)?.length, 2);
  const text = await runCliInProcess(['report', out]);
  assert.match(text.stdout, new RegExp(`best: ${top.model_label} on ${top.dataset_label}, ${(top.test_accuracy! * 100).toFixed(2)} %`));

  // A run of the batch is an ordinary run folder.
  const ev = await runCliInProcess(['evaluate', completed[0].run_dir, '--json']);
  assert.equal(ev.code, 0, ev.stderr);
  assert.equal(JSON.parse(ev.stdout).test_accuracy, completed[0].test_accuracy);
});

let cluster: string | null = null;
after(() => {
  if (cluster) execFileSync(path.join(repoRoot, 'scripts/slurm-test-cluster.sh'), ['stop', cluster], { stdio: 'inherit' });
  rmSync(dir, { recursive: true, force: true });
});

test('batch, Slurm (real single-node cluster): same jobs and layout, cancelled array resumed by a rerun, slurm_job_id on each record', { skip: skipWithoutTool('slurm') || extended(fashionMnistDir).skip }, async () => {
  requireTool('slurm');
  cluster = execFileSync(path.join(repoRoot, 'scripts/slurm-test-cluster.sh'), ['start', path.join(dir, 'slurm-cluster')], { encoding: 'utf8' }).trim();
  const env = { SLURM_CONF: path.join(cluster, 'slurm.conf') };
  // One task at a time on the node, so that the SIGINT finds tasks still queued to cancel.
  const cfg = config('slurm', `slurm:\n  cpus-per-task: ${os.availableParallelism()}\n  time: "10"\n  mem: 1G\n  extra: [--nice=0]\n`);
  const out = path.join(dir, 'slurm-out');
  const completed = await killAndRerun(cfg, out, ['--executor', 'slurm', '--poll', '0.3'], env);
  const arrays = new Set(completed.map((r) => r.slurm_job_id!.split('_')[0]));
  for (const r of completed) {
    assert.equal(r.executor, 'slurm');
    assert.match(r.slurm_job_id!, /^\d+_\d+$/);
  }
  assert.equal(arrays.size, 2, 'jobs of the first array and of the resubmitted one');
  const q = spawnSync('squeue', ['-h'], { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(q.status, 0, q.stderr);
  assert.equal(q.stdout.trim(), '', 'nothing left in the queue');
  const scripts = readdirSync(path.join(out, 'slurm')).filter((f) => f.endsWith('.sbatch'));
  assert.equal(scripts.length, 2);
  const [firstScript, secondScript] = scripts.sort().map((f) => readFileSync(path.join(out, 'slurm', f), 'utf8'));
  for (const line of ['--array=0-3', `--cpus-per-task=${os.availableParallelism()}`, '--time=10', '--mem=1G', '--nice=0', '--requeue']) assert.ok(firstScript.includes(`#SBATCH ${line}\n`), line);
  // The resubmission holds only the jobs the first array did not finish.
  const resubmitted = completed.filter((r) => r.slurm_job_id!.split('_')[0] === [...arrays].sort((a, b) => Number(a) - Number(b))[1]).length;
  assert.ok(secondScript.includes(`#SBATCH --array=0-${resubmitted - 1}\n`), `array of ${resubmitted}`);

  // Same config but the executor: same job ids, same run folder layout as the local pool.
  const local = path.join(dir, 'local-out', 'runs');
  if (existsSync(local)) {
    assert.deepEqual(readdirSync(path.join(out, 'runs')).sort(), readdirSync(local).sort());
    for (const id of readdirSync(local)) assert.deepEqual(readdirSync(path.join(out, 'runs', id)).sort(), readdirSync(path.join(local, id)).sort());
  }
});

test('batch, local pool: a failing job is recorded with its error, the others go on; a rerun retries only it', async () => {
  const f = path.join(dir, 'failing.yaml');
  const bad = path.join(repoRoot, 'packages/convkit/test-fixtures/models/tiny-dense-rgb32.json');
  writeFileSync(f, `name: failing\nout: failing-out\ndatasets: [mnist:embedded]\nmodels: [${bad}, mnist-dnn]\ntrain:\n  epochs: 1\n  limit-train: 200\n  limit-test: 200\n`);
  const out = path.join(dir, 'failing-out');
  const first = await cli(['batch', 'run', f, '--parallel', '1'], { env: { CONVKIT_THREADS: '1' } });
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stderr, /1 job\(s\) failed/);
  const rs = records(out);
  assert.deepEqual(rs.map((r) => [r.model_label, r.status]), [['tiny-dense-rgb32', 'failed'], ['mnist-dnn', 'completed']]);
  assert.match(rs[0].error!, /input shape \[32, 32, 3\] does not fit the data's \[28, 28, 1\]/);
  assert.equal(rs[0].test_accuracy, null);
  const st = JSON.parse((await runCliInProcess(['batch', 'status', f, '--json'])).stdout);
  assert.deepEqual([st.counts.done, st.counts.failed], [1, 1]);

  const again = await cli(['batch', 'run', f, '--parallel', '1'], { env: { CONVKIT_THREADS: '1' } });
  assert.equal(again.code, 1, again.stderr);
  assert.match(again.stderr, /1 done or running, 1 to run/);
  const after2 = records(out);
  assert.equal(after2.filter((r) => r.status === 'completed').length, 1);
  assert.equal(after2.filter((r) => r.status === 'failed').length, 2);
});
