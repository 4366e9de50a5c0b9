import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { settleInterruptedWrites, writeDirAtomic, writeDirRotating } from './atomic.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = () => fs.mkdtemp(path.join(os.tmpdir(), 'convkit-atomic-'));
const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

async function fillVersion(dir: string, v: number): Promise<void> {
  await fs.writeFile(path.join(dir, 'a'), String(v));
  await fs.writeFile(path.join(dir, 'b'), String(v));
}

/** A directory written by fillVersion: both files, same version. */
async function version(dir: string): Promise<number> {
  const [a, b] = await Promise.all(['a', 'b'].map((f) => fs.readFile(path.join(dir, f), 'utf8')));
  assert.equal(a, b, `${dir} is half old, half new`);
  return Number(a);
}

test('writeDirAtomic / writeDirRotating replace a directory whole', async () => {
  const d = path.join(await tmp(), 'ck');
  await writeDirAtomic(d, (t) => fillVersion(t, 1));
  await writeDirAtomic(d, (t) => fillVersion(t, 2));
  assert.equal(await version(d), 2);
  await writeDirRotating(d, (t) => fillVersion(t, 3));
  assert.equal(await version(d), 3);
  assert.equal(await version(`${d}.prev`), 2);
  await assert.rejects(writeDirAtomic(d, async () => Promise.reject(new Error('fill failed'))), /fill failed/);
  assert.equal(await version(d), 3);
  assert.deepEqual((await fs.readdir(path.dirname(d))).sort(), ['ck', 'ck.prev']);
});

test('killed between the two renames: the complete new directory is put under its name', async () => {
  const parent = await tmp();
  const pid = deadPid();
  // What a kill between `rename(final → old)` and `rename(new → final)` leaves.
  for (const [name, kind, v] of [['best', 'new', 2], ['best', 'old', 1], ['last', 'tmp', 9]] as const) {
    const d = path.join(parent, `.${name}.${kind}-${os.hostname()}@${pid}-mi9x2k1a0badcafe`);
    await fs.mkdir(d);
    await fillVersion(d, v);
  }
  await fs.mkdir(path.join(parent, 'last'));
  await fillVersion(path.join(parent, 'last'), 5);
  assert.deepEqual(await settleInterruptedWrites(parent), ['best']);
  assert.equal(await version(path.join(parent, 'best')), 2);
  assert.equal(await version(path.join(parent, 'last')), 5, 'a half-filled temp never replaces anything');
  assert.deepEqual((await fs.readdir(parent)).sort(), ['best', 'last']);
});

test('tidying touches only names convkit writes: look-alike user files and temporaries of another host stay', async () => {
  const parent = await tmp();
  const pid = deadPid();
  const mine = [`.env.old-20231201-abc`, `.env.old-${pid}-abc123`, `.data.tmp-${pid}-x`, '.x.new-1-zz', `.best.tmp-otherhost.example@${pid}-mi9x2k1a0badcafe`];
  for (const n of mine) await fs.writeFile(path.join(parent, n), 'user file');
  const ours = `.best.tmp-${os.hostname()}@${pid}-mi9x2k1a0badcafe`;
  const legacy = `.best.tmp-${pid}-mi9x2k1a0badcafe`; // what an earlier version wrote
  await fs.mkdir(path.join(parent, ours));
  await fs.mkdir(path.join(parent, legacy));
  await settleInterruptedWrites(parent);
  assert.deepEqual((await fs.readdir(parent)).sort(), [...mine].sort());
});

test('SIGKILL at random moments of a writeDirAtomic loop never loses the directory', async () => {
  const parent = await tmp();
  const d = path.join(parent, 'ck');
  const script = `
    import { writeDirAtomic } from ${JSON.stringify(path.join(here, 'atomic.ts'))};
    import { promises as fs } from 'node:fs';
    import path from 'node:path';
    let v = 0;
    for (;;) {
      v++;
      await writeDirAtomic(${JSON.stringify(d)}, async (t) => {
        await fs.writeFile(path.join(t, 'a'), String(v));
        await fs.writeFile(path.join(t, 'b'), String(v));
      });
      if (v === 1) process.stdout.write('written\\n');
    }
  `;
  let lastSeen = 0;
  for (let round = 0; round < 6; round++) {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', () => resolve())); // one complete write
    await new Promise((r) => setTimeout(r, Math.random() * 40)); // then a kill at an arbitrary point of the loop
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    await settleInterruptedWrites(parent);
    const v = await version(d); // fails if the kill left no `ck`
    assert.ok(v >= 1);
    lastSeen = v;
    assert.deepEqual(await fs.readdir(parent), ['ck'], `round ${round}: nothing left beside it`);
  }
  assert.ok(lastSeen >= 1);
});
