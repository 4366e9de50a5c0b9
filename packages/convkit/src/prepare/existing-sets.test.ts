import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { copyOfficial } from '../../test-fixtures/gtsrb-copy.js';
import { cliMain, repoRoot } from '../../test-support/paths.js';
import { h5 } from '../datasets/hdf5.js';
import { ConvkitError } from '../util/errors.js';
import { PREPARE_RECORD_ATTR } from './existing-sets.js';
import { prepareGtsrb } from './gtsrb.js';

const tmpDir = () => fs.mkdtemp(path.join(os.tmpdir(), 'convkit-sets-'));

/** The seed recorded in a prepared set, and its inode (a replaced file gets a new one). */
async function identity(file: string): Promise<{ seed: number; ino: number }> {
  const lib = await h5();
  const f = new lib.File(file, 'r');
  const seed = JSON.parse(f.attrs[PREPARE_RECORD_ATTR].json_value as string).seed;
  f.close();
  return { seed, ino: (await fs.stat(file)).ino };
}

test('an existing set is kept when up to date, refused when prepared differently, replaced only with --force', async () => {
  const root = await copyOfficial([0, 1, 2], 30);
  const out = await tmpDir();
  const opts = { root, out, sizes: [8], modes: ['L', 'RGB'] as ('L' | 'RGB')[], seed: 3, workers: 1 };
  await prepareGtsrb(opts);
  const L = path.join(out, 'set-8x8-L.h5');
  const RGB = path.join(out, 'set-8x8-RGB.h5');
  const before = [await identity(L), await identity(RGB)];

  const logs: string[] = [];
  const again = await prepareGtsrb(opts, (m) => logs.push(m));
  assert.deepEqual(again.kept, [L, RGB]);
  assert.deepEqual(again.files.map((f) => [f.path, f.train > 0, f.test]), [[L, true, 30], [RGB, true, 30]]);
  assert.match(logs.join('\n'), /set-8x8-L\.h5 is up to date \(same source and parameters\); kept/);
  assert.deepEqual([await identity(L), await identity(RGB)], before, 'untouched');

  await assert.rejects(prepareGtsrb({ ...opts, seed: 4 }), (e: unknown) => {
    assert.ok(e instanceof ConvkitError && e.exitCode === 2);
    assert.equal(e.message, `${L}: exists and was prepared differently (made with seed 3, not 4); use --force to replace it`);
    return true;
  });
  assert.deepEqual([await identity(L), await identity(RGB)], before, 'untouched');

  // a new variant beside up-to-date ones: only it is written
  const more = await prepareGtsrb({ ...opts, modes: ['L', 'RGB', 'L-HE'] });
  assert.deepEqual(more.kept, [L, RGB]);
  assert.deepEqual([await identity(L), await identity(RGB)], before);
  assert.equal((await identity(path.join(out, 'set-8x8-L-HE.h5'))).seed, 3);

  await prepareGtsrb({ ...opts, seed: 4, force: true });
  assert.equal((await identity(L)).seed, 4);
  assert.equal((await identity(RGB)).seed, 4);
  assert.deepEqual((await fs.readdir(out)).sort(), ['set-8x8-L-HE.h5', 'set-8x8-L.h5', 'set-8x8-RGB.h5'], 'no temporaries');
});

test('all or nothing: when one set cannot be put in place, the sets already there stay as they were', async () => {
  const root = await copyOfficial([0, 1], 10);
  const out = await tmpDir();
  const opts = { root, out, sizes: [8], modes: ['L', 'RGB'] as ('L' | 'RGB')[], seed: 3, workers: 1 };
  await prepareGtsrb({ ...opts, modes: ['L'] });
  const L = path.join(out, 'set-8x8-L.h5');
  const before = await identity(L);
  // RGB comes after L: its final name is taken by a folder, so its rename would fail after L's
  await fs.mkdir(path.join(out, 'set-8x8-RGB.h5'));
  await fs.writeFile(path.join(out, 'set-8x8-RGB.h5', 'keep'), 'x');
  await assert.rejects(prepareGtsrb({ ...opts, seed: 4, force: true }), /set-8x8-RGB\.h5: exists and is not a file; cannot replace it/);
  assert.deepEqual(await identity(L), before, 'L still the seed-3 set');
  assert.deepEqual((await fs.readdir(out)).sort(), ['set-8x8-L.h5', 'set-8x8-RGB.h5'], 'no temporaries');
});

test('prepare killed while writing leaves nothing under a final name; the next prepare clears its temporaries', async () => {
  // every class of the fixture (258 training images): more than one batch of 128, so a progress line comes mid-way
  const root = await copyOfficial(Array.from({ length: 43 }, (_, c) => c), 40);
  const out = await tmpDir();
  const args = ['prepare', 'gtsrb', root, '--size', '8,16', '--mode', 'L,RGB', '--workers', '1', '--out', out];
  const child = spawn(process.execPath, ['--import', 'tsx', cliMain, ...args], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const progress = new Promise<void>((resolve) =>
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/convkit: prepare train: \d+ %/.test(stderr)) resolve(); // mid-way through the images
    }),
  );
  const closed = new Promise((r) => child.on('close', r));
  await Promise.race([progress, closed]);
  child.kill('SIGKILL');
  await closed;
  const left = await fs.readdir(out);
  assert.ok(left.length > 0 && left.every((n) => n.startsWith('.') && n.includes('.tmp-')), `only temporaries: ${left} (${stderr})`);
  await prepareGtsrb({ root, out, sizes: [8, 16], modes: ['L', 'RGB'], workers: 1 });
  assert.deepEqual((await fs.readdir(out)).sort(), ['set-16x16-L.h5', 'set-16x16-RGB.h5', 'set-8x8-L.h5', 'set-8x8-RGB.h5']);
});
