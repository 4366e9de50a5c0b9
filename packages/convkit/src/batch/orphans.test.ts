// A `batch run` killed with SIGKILL leaves its `convkit train` children going (their own sessions): a rerun follows
// them until they end and records them, so it exits 0 with every job recorded. Real processes, real digits.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startCli, waitFor } from '../../test-support/cli.js';
import { repoRoot } from '../../test-support/paths.js';
import { runCli as runCliInProcess } from '../../test-support/prepare.js';
import { readRunLock, RUN_LOCK_FILE } from '../run/lock.js';
import { pidAlive } from '../util/atomic.js';
import type { JobRecord } from './results.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'convkit-orphans-'));
const modelJson = path.join(repoRoot, 'packages/convkit/test-fixtures/models/tiny-dense.json');

test('kill -9 of a local batch run, then a rerun: the rerun follows the orphaned trainings to their end and records every job once', async () => {
  const cfg = path.join(dir, 'orphans.yaml');
  writeFileSync(cfg, `name: orphans\nout: ${path.join(dir, 'out')}\ndatasets: [mnist:embedded]\nmodels: [mnist-dnn, ${modelJson}]\ntrain:\n  epochs: 12\n  batch-size: 16\n  limit-train: 320\n  limit-test: 100\n`);
  const plan = await runCliInProcess(['batch', 'plan', cfg, '--json']);
  assert.equal(plan.code, 0, plan.stderr);
  const runDirs: string[] = JSON.parse(plan.stdout).jobs.map((j: { runDir: string }) => j.runDir);
  assert.equal(runDirs.length, 2);

  const env = { CONVKIT_THREADS: '1' };
  const first = startCli(['batch', 'run', cfg, '--parallel', '2'], { env });
  await waitFor('both trainings to hold their run locks', async () => (await Promise.all(runDirs.map((d) => readRunLock(d)))).every((l) => l && l.pid !== first.child.pid));
  const orphans = (await Promise.all(runDirs.map((d) => readRunLock(d)))).map((l) => l!.pid);
  // The orphans are held still (SIGSTOP) from before their runner dies until the rerun says it follows each one, so
  // that the rerun finds them at work however fast they train; each goes on (SIGCONT) once it is followed.
  for (const pid of orphans) process.kill(pid, 'SIGSTOP');
  first.child.kill('SIGKILL');
  assert.equal((await first.done).signal, 'SIGKILL');
  assert.ok(orphans.every(pidAlive), 'the children outlive their runner');

  const rerun = startCli(['batch', 'run', cfg, '--parallel', '2'], { env });
  let said = '';
  rerun.child.stderr!.on('data', (d) => (said += d));
  const following = (pid: number) => new RegExp(`is being written by pid ${pid} on .*; following it until it ends`);
  try {
    for (const pid of orphans) {
      await waitFor(`the rerun to follow pid ${pid}`, async () => following(pid).test(said) || rerun.child.exitCode !== null);
      process.kill(pid, 'SIGCONT');
    }
  } finally {
    for (const pid of orphans) if (pidAlive(pid)) process.kill(pid, 'SIGCONT');
  }
  const second = await rerun.done;
  assert.equal(second.code, 0, second.stderr);
  for (const pid of orphans) assert.match(second.stderr, following(pid));
  const records: JobRecord[] = (await fs.readFile(path.join(dir, 'out', 'results.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.deepEqual(records.map((r) => r.status), ['completed', 'completed'], JSON.stringify(records));
  assert.deepEqual(new Set(records.map((r) => r.run_dir)), new Set(runDirs), 'each job recorded once');
  // Ended: gone, or a zombie their new parent has not reaped yet (state Z in /proc/PID/stat).
  const ended = (pid: number) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
    } catch {
      return true;
    }
  };
  assert.ok(orphans.every(ended), 'the orphans have ended');
});

test('a lock of another host carrying our SLURM_JOB_ID (the same job, requeued on another node) is taken over; another job id is not', async () => {
  const run = path.join(dir, 'requeued');
  await fs.mkdir(run);
  const lock = { pid: 4242, host: 'node-that-died.example', started: new Date().toISOString(), token: 'old', purpose: 'train', slurmJobId: '777' };
  const script = `
    import { acquireRunLock } from ${JSON.stringify(path.join(here, '../run/lock.ts'))};
    try { const l = await acquireRunLock(${JSON.stringify(run)}); process.stdout.write('took ' + l.info.slurmJobId); await l.release(); }
    catch (e) { process.stdout.write('refused: ' + e.message); }
  `;
  const attempt = async (jobId: string) => {
    await fs.writeFile(path.join(run, RUN_LOCK_FILE), JSON.stringify(lock));
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, SLURM_JOB_ID: jobId }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    await new Promise((r) => child.on('close', r));
    return { out, err };
  };
  const other = await attempt('778');
  assert.match(other.out, /^refused: .*run is locked by pid 4242 on node-that-died\.example \(train\).*another host/);
  const same = await attempt('777');
  assert.equal(same.out, 'took 777', same.err);
  assert.match(same.err, /taking over the lock of .*: its writer \(pid 4242 on node-that-died\.example \(train\) since .*\) is gone/);
});

const slurmTools = ['sbatch', 'squeue', 'scancel', 'scontrol'].every((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0) && ['/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/sbin/munged'].every(existsSync);

test('Slurm (real single-node cluster): kill -9 of batch run, scontrol requeue of its task, a rerun follows the same array (no second submission) and records the job once', { skip: slurmTools ? false : 'slurm-wlm and munge not installed (scripts/setup.sh installs them)' }, async (t) => {
  const script = path.join(repoRoot, 'scripts/slurm-test-cluster.sh');
  const cluster = execFileSync(script, ['start', path.join(dir, 'slurm-cluster')], { encoding: 'utf8' }).trim();
  t.after(() => execFileSync(script, ['stop', cluster], { stdio: 'inherit' }));
  const env = { SLURM_CONF: path.join(cluster, 'slurm.conf') };
  const out = path.join(dir, 'slurm-out');
  const cfg = path.join(dir, 'requeue.yaml');
  writeFileSync(cfg, `name: requeue\nout: ${out}\ndatasets: [mnist:embedded]\nmodels: [mnist-dnn]\ntrain:\n  epochs: 12\n  batch-size: 16\n  limit-train: 320\n  limit-test: 100\nslurm:\n  cpus-per-task: 1\n  time: "10"\n  mem: 1G\n`);
  const runDir: string = JSON.parse((await runCliInProcess(['batch', 'plan', cfg, '--json'])).stdout).jobs[0].runDir;
  const lastEpoch = () => fs.readFile(path.join(runDir, 'checkpoints/last/state.json'), 'utf8').then((s) => JSON.parse(s).epoch as number, () => -1);

  const first = startCli(['batch', 'run', cfg, '--executor', 'slurm', '--poll', '0.3'], { env });
  await waitFor('the task to train (its lock and a first checkpoint)', async () => (await readRunLock(runDir)) !== null && (await lastEpoch()) >= 1, 300_000);
  const array = JSON.parse(await fs.readFile(path.join(out, 'slurm', 'array.json'), 'utf8'));
  assert.deepEqual(array.jobs.length, 1);
  first.child.kill('SIGKILL');
  await first.done;
  const firstWriter = (await readRunLock(runDir))!;
  assert.equal(firstWriter.slurmJobId !== undefined, true, 'the lock records SLURM_JOB_ID');
  const rq = spawnSync('scontrol', ['requeue', `${array.arrayId}_0`], { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(rq.status, 0, rq.stderr);

  const second = await startCli(['batch', 'run', cfg, '--executor', 'slurm', '--poll', '0.3'], { env, timeoutMs: 600_000 }).done;
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, new RegExp(`Slurm job array ${array.arrayId} of an earlier batch run is still queued or running; following it instead of submitting again`));
  assert.doesNotMatch(second.stderr, /submitted Slurm job array/);
  assert.equal(readdirSync(path.join(out, 'slurm')).filter((f) => f.endsWith('.sbatch')).length, 1, 'one submission');
  const records: JobRecord[] = (await fs.readFile(path.join(out, 'results.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.deepEqual(records.map((r) => [r.status, r.slurm_job_id]), [['completed', `${array.arrayId}_0`]]);
  const log = await fs.readFile(path.join(out, 'logs', `slurm-${array.arrayId}_0.out`), 'utf8');
  assert.match(log, /train --resume|resum/i, 'the requeued task continued the run');
});
