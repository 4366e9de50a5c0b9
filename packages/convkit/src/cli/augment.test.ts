import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { runCli } from '../../test-support/cli.js';

test('augment preview: originals beside augmented copies in a PNG (real MNIST); bad settings exit 2 with one line', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-augment-'));
  const out = path.join(dir, 'grid.png');
  const r = await runCli(['augment', 'preview', '--data', 'mnist:embedded', '--augment', 'fidle', '--rotation', '30', '--n', '3', '--copies', '2', '--scale', '2', '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.augment, 'rotation=30,zoom=0.2,shear=0.1,widthShift=0.1,heightShift=0.1,fill=nearest');
  const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
  const tile = 28 * 2;
  assert.deepEqual([info.width, info.height], [3 * (tile + 2) + 2, 3 * (tile + 2) + 2]);
  const tileAt = (row: number, col: number) => {
    const px: number[] = [];
    for (let y = 0; y < tile; y++) for (let x = 0; x < tile; x++) px.push(data[((2 + row * (tile + 2) + y) * info.width + 2 + col * (tile + 2) + x) * info.channels]);
    return px;
  };
  for (let row = 0; row < 3; row++) {
    const original = tileAt(row, 0);
    assert.ok(original.some((v) => v > 200), 'the original digit is drawn');
    for (const col of [1, 2]) {
      const copy = tileAt(row, col);
      const changed = copy.filter((v, i) => Math.abs(v - original[i]) > 32).length;
      assert.ok(changed > 20, `row ${row} copy ${col}: ${changed} pixels changed`);
      // same amount of ink, give or take the zoom
      const ink = (px: number[]) => px.reduce((s, v) => s + v, 0);
      assert.ok(ink(copy) > 0.5 * ink(original) && ink(copy) < 1.8 * ink(original));
    }
  }
  const bad = await runCli(['augment', 'preview', '--data', 'mnist:embedded', '--rotation', '200', '--out', path.join(dir, 'bad.png')]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim(), 'convkit: error: augment preview: rotation: must be a number in [0, 180] (degrees)');
  await assert.rejects(fs.access(path.join(dir, 'bad.png')));
});
