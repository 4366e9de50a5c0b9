// Stop signals only the real writer of a run: a `convkit train` of that very folder, started when its lock says.
// Real processes throughout: a `sleep` named by a forged lock, a copied run, a real training.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startCli, waitFor } from '../../test-support/cli.js';
import { readRunLock, RUN_LOCK_FILE, type RunLockInfo } from '../run/lock.js';
import { processStartTicks } from '../util/proc.js';
import { stopRun } from './stop.js';

const tmp = () => fs.mkdtemp(path.join(os.tmpdir(), 'convkit-stop-'));
const writeLock = async (dir: string, info: Partial<RunLockInfo>) =>
  fs.writeFile(path.join(dir, RUN_LOCK_FILE), JSON.stringify({ host: os.hostname(), started: new Date().toISOString(), token: 'forged', dir: await fs.realpath(dir), ...info }));
const lastEpoch = (dir: string) => fs.readFile(path.join(dir, 'checkpoints/last/state.json'), 'utf8').then((t) => JSON.parse(t).epoch as number, () => -1);

test('a lock forged to name an unrelated process (pid, start time, folder all right) is refused and the process is not signalled', async (t) => {
  const dir = await tmp();
  const sleep = spawn('sleep', ['600'], { stdio: 'ignore' });
  t.after(() => sleep.kill('SIGKILL'));
  await waitFor('sleep to start', async () => processStartTicks(sleep.pid!) !== null && (await fs.readFile(`/proc/${sleep.pid}/cmdline`, 'utf8')).startsWith('sleep'), 10_000);
  await writeLock(dir, { pid: sleep.pid, startTicks: processStartTicks(sleep.pid!)!, purpose: 'train' });
  const r = await stopRun(dir);
  assert.deepEqual(r, { ok: false, status: 409, reason: `not stopping: pid ${sleep.pid} is not \`convkit train\` of this folder` });
  // Had Stop sent it SIGINT, sleep would have died of it; it ends of the SIGTERM sent now instead.
  const ended = new Promise((res) => sleep.on('exit', (_c, s) => res(s)));
  sleep.kill('SIGTERM');
  assert.equal(await ended, 'SIGTERM');
});

test('a lock naming pid 0, -1, 1, this server or a pid started at another time is refused', async () => {
  const dir = await tmp();
  for (const pid of [0, -1, 1, 1.5]) {
    await writeLock(dir, { pid, startTicks: 0 });
    const r = await stopRun(dir);
    assert.equal(r.ok, false, `pid ${pid}`); // pid 0 or -1 signalled would have interrupted this very test process
  }
  await writeLock(dir, { pid: process.pid, startTicks: processStartTicks(process.pid)! });
  assert.deepEqual(await stopRun(dir), { ok: false, status: 409, reason: `not stopping: the lock names pid ${process.pid}, which is no training process` });
  await writeLock(dir, { pid: process.pid, startTicks: processStartTicks(process.pid)! + 1 });
  assert.equal((await stopRun(dir)).ok, false, 'another start time: a recycled pid');
});

test('Stop on a copy of a running run signals nobody; Stop on the run itself stops its convkit train (exit 130)', async () => {
  const base = await tmp();
  const dir = path.join(base, 'a');
  const copy = path.join(base, 'a-copy');
  const args = ['train', '--model', 'mnist-dnn', '--batch-size', '16', '--limit-train', '320', '--limit-test', '100', '--backend', 'cpu', '--progress', 'lines', '--epochs', '1000', '--out', dir];
  const { child, done } = startCli(args);
  try {
    await waitFor('the lock and a first checkpoint', async () => (await readRunLock(dir))?.pid === child.pid && (await lastEpoch(dir)) >= 1);
    await fs.cp(dir, copy, { recursive: true });
    const lock = (await readRunLock(copy))!;
    assert.equal(lock.pid, child.pid, 'the copy carries the original lock');
    assert.deepEqual(await stopRun(copy), { ok: false, status: 409, reason: `not stopping: the lock was taken for ${await fs.realpath(dir)}, not for this folder (a copied run?)` });
    // A lock rewritten to name the copy's own path: still not a train of the copy.
    await writeLock(copy, { ...lock, dir: await fs.realpath(copy) });
    assert.deepEqual(await stopRun(copy), { ok: false, status: 409, reason: `not stopping: pid ${child.pid} is not \`convkit train\` of this folder` });
    const epoch = await lastEpoch(dir);
    await waitFor('the training to go on (another epoch after the refused Stops)', async () => (await lastEpoch(dir)) > epoch);
    assert.deepEqual(await stopRun(dir), { ok: true, pid: child.pid });
  } finally {
    setTimeout(() => child.kill('SIGKILL'), 120_000).unref();
  }
  const r = await done;
  assert.equal(r.code, 130, r.stderr);
});
