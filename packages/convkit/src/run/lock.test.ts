import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConvkitError } from '../util/errors.js';
import { acquireRunLock, readRunLock, RUN_LOCK_FILE, runWriter, signalRunWriter, withRunLock, type RunLockInfo } from './lock.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = () => fs.mkdtemp(path.join(os.tmpdir(), 'convkit-lock-'));

/** A pid that surely no longer runs: a child that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

const writeLock = (dir: string, info: Partial<RunLockInfo>) =>
  fs.writeFile(path.join(dir, RUN_LOCK_FILE), JSON.stringify({ pid: 1, host: os.hostname(), started: new Date().toISOString(), token: 'x', ...info }));

test('one writer: a second acquire names pid and host of the first; release frees the directory', async () => {
  const dir = path.join(await tmp(), 'run');
  const lock = await acquireRunLock(dir, { purpose: 'train' });
  const info = await readRunLock(dir);
  assert.equal(info?.pid, process.pid);
  assert.equal(info?.host, os.hostname());
  assert.ok(Date.parse(info!.started) > 0);
  assert.deepEqual(await runWriter(dir), info);
  await assert.rejects(acquireRunLock(dir), (e: unknown) => {
    assert.ok(e instanceof ConvkitError);
    assert.equal(e.exitCode, 2);
    assert.match(e.message, new RegExp(`^${dir}: run is locked by pid ${process.pid} on ${os.hostname()} \\(train\\) since `));
    return true;
  });
  await lock.release();
  await lock.release(); // idempotent
  assert.equal(await readRunLock(dir), null);
  await assert.rejects(fs.access(dir), 'an empty directory the lock created is removed again');
  await withRunLock(dir, async () => assert.ok(await runWriter(dir)));
  assert.equal(await runWriter(dir), null);
});

test('a lock left by a dead process on this host is taken over with a message', async () => {
  const dir = await tmp();
  const pid = deadPid();
  await writeLock(dir, { pid, purpose: 'train' });
  assert.equal(await runWriter(dir), null, 'a dead writer is no writer');
  const logs: string[] = [];
  const lock = await acquireRunLock(dir, { log: (m) => logs.push(m) });
  assert.match(logs.join('\n'), new RegExp(`taking over the lock of ${dir}: its writer \\(pid ${pid} on ${os.hostname()} \\(train\\) since .*\\) is gone`));
  assert.equal((await readRunLock(dir))?.pid, process.pid);
  await lock.release();
  assert.deepEqual(await fs.readdir(dir), [], 'nothing left behind (the directory existed before, so it stays)');
});

test('a live writer in another process, or one on another host, is refused', async () => {
  const dir = await tmp();
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await writeLock(dir, { pid: child.pid!, started: new Date().toISOString() });
    await assert.rejects(acquireRunLock(dir), new RegExp(`run is locked by pid ${child.pid} on ${os.hostname()}`));
  } finally {
    child.kill('SIGKILL');
  }
  await writeLock(dir, { pid: process.pid, host: 'elsewhere.example' });
  await assert.rejects(acquireRunLock(dir), /run is locked by pid \d+ on elsewhere\.example .*another host: cannot tell whether it still runs/);
  await assert.rejects(acquireRunLock(path.join(dir, 'missing'), { create: false }), /missing: no such run directory/);
  await assert.rejects(signalRunWriter(dir), /written by pid \d+ on elsewhere\.example, not on this host/);
  await fs.rm(path.join(dir, RUN_LOCK_FILE));
  await assert.rejects(signalRunWriter(dir), /no process is writing this run/);
});

test('a recycled pid (a process started after the lock was written) does not hold the lock', async () => {
  const dir = await tmp();
  await writeLock(dir, { pid: process.pid, started: new Date(Date.now() - 10 * 86400_000).toISOString() });
  // This process started long after that "lock"; on Linux /proc tells, elsewhere the pid would count as live.
  if (process.platform === 'linux') assert.equal(await runWriter(dir), null);
});

for (const [how, code] of [
  ['SIGTERM', null],
  ['SIGINT', null],
  ['throw', 1],
  ['exit', 3],
] as const) {
  test(`the lock is released when the holder ends by ${how}`, async () => {
    const dir = await tmp();
    const script = `
      import { acquireRunLock } from ${JSON.stringify(path.join(here, 'lock.ts'))};
      await acquireRunLock(${JSON.stringify(dir)});
      process.stdout.write('locked\\n');
      const how = ${JSON.stringify(how)};
      if (how === 'throw') setTimeout(() => { throw new Error('boom'); }, 10);
      else if (how === 'exit') setTimeout(() => process.exit(3), 10);
      else setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('locked')) resolve();
      });
      child.on('close', () => reject(new Error(`child ended before locking: ${err}`)));
    });
    // A lock holder that is not `convkit train` of the folder is not stopped by the dashboard (web/stop.test.ts).
    if (how === 'SIGINT') await assert.rejects(signalRunWriter(dir), /not stopping: pid \d+ is not `convkit train` of this folder/);
    if (how === 'SIGTERM' || how === 'SIGINT') child.kill(how);
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('close', (c, s) => r([c, s])));
    if (code !== null) assert.equal(exitCode, code, err);
    else assert.equal(exitCode, how === 'SIGINT' ? 130 : 143, `exit code (signal ${signal}) ${err}`);
    assert.equal(await readRunLock(dir), null, 'lock file removed');
  });
}

test('four processes racing for one stale lock: exactly one gets it', async () => {
  const dir = await tmp();
  await writeLock(dir, { pid: deadPid() });
  const script = `
    import { acquireRunLock } from ${JSON.stringify(path.join(here, 'lock.ts'))};
    try {
      await acquireRunLock(${JSON.stringify(dir)}, { log: () => {} });
      process.stdout.write('won\\n');
      process.stdin.resume(); // hold the lock until the parent closes stdin
      process.stdin.on('end', () => process.exit(0));
    } catch (e) {
      process.stdout.write('lost: ' + e.message + '\\n');
    }
  `;
  const children = Array.from({ length: 4 }, () => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] }));
  const outs = children.map((c) => {
    const r = { out: '', err: '', closed: false };
    c.stdout.on('data', (d) => (r.out += d));
    c.stderr.on('data', (d) => (r.err += d));
    c.on('close', () => (r.closed = true));
    return r;
  });
  const t0 = Date.now();
  while (!outs.every((o) => o.out.includes('\n') || o.closed) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 50));
  const answers = outs.map((o) => o.out.trim() || `(no answer: ${o.err})`);
  for (const c of children) c.stdin.end();
  await Promise.all(children.map((c, i) => outs[i].closed || new Promise((r) => c.on('close', r))));
  assert.equal(answers.filter((a) => a === 'won').length, 1, answers.join('\n'));
  for (const a of answers.filter((x) => x !== 'won')) assert.match(a, /^lost: .*run is locked by pid \d+/);
  assert.equal(await readRunLock(dir), null);
});

test('a named lock file (a batch directory) is its own lock: refused while held, apart from run.lock, stale one taken over', async () => {
  const dir = await tmp();
  const opts = { lockFile: '.batch.lock', subject: 'batch directory', purpose: 'batch run' };
  const batch = await acquireRunLock(dir, opts);
  await assert.rejects(acquireRunLock(dir, opts), (e: unknown) => {
    assert.ok(e instanceof ConvkitError);
    assert.match(e.message, new RegExp(`^${dir}: batch directory is locked by pid ${process.pid} on ${os.hostname()} \\(batch run\\) since .*; one writer per batch directory$`));
    return true;
  });
  const run = await acquireRunLock(dir); // run.lock is another file
  await run.release();
  await batch.release();
  await assert.rejects(fs.access(path.join(dir, '.batch.lock')));
  // Left by a dead process: taken over, with a message.
  await fs.writeFile(path.join(dir, '.batch.lock'), JSON.stringify({ pid: deadPid(), host: os.hostname(), started: new Date().toISOString(), token: 'y' }));
  const msgs: string[] = [];
  const again = await acquireRunLock(dir, { ...opts, log: (m) => msgs.push(m) });
  assert.match(msgs.join('\n'), /taking over the lock/);
  assert.equal((await readRunLock(dir, '.batch.lock'))?.pid, process.pid);
  await again.release();
});
