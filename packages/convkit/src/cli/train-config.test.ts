import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gtsrbFixtureDir } from '../../test-support/paths.js';
import { h5pyJson, runCli } from '../../test-support/prepare.js';
import { requirePython, skipWithoutPython } from '../../test-support/python.js';
import { preparedGtsrbSet } from '../prepare/cache.js';

test('train --config: prepare block on a GTSRB folder (cached by content), track-wise validation, command line overrides the file', { timeout: 10 * 60_000 }, async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-trainconfig-'));
  const saved = process.env.CONVKIT_HOME;
  process.env.CONVKIT_HOME = path.join(dir, 'home');
  try {
    const cfg = path.join(dir, 'recipe.yaml');
    await fs.writeFile(cfg, ['prepare:', '  size: 16', '  mode: L', 'train:', '  model: gtsrb-vgg-bn', '  epochs: 2', '  batch-size: 128', '  lr-schedule: cosine', '  progress: none', ''].join('\n'));
    const out1 = path.join(dir, 'run1');
    const r1 = await runCli(['train', '--config', cfg, '--data', `gtsrb:${gtsrbFixtureDir}`, '--out', out1, '--epochs', '1', '--json']);
    assert.equal(r1.code, 0, r1.stderr);
    assert.match(r1.stderr, /preparing .*16×16 L\)/);
    assert.match(r1.stderr, /training gtsrb-vgg-bn on .* \(\d+ train, \d+ validation images: 10 % of the tracks held out, 16×16×1\)/);
    const res1 = JSON.parse(r1.stdout);
    assert.equal(res1.epochs, 1, 'the command line overrides epochs: 2 of the file');
    assert.equal(res1.validation.kind, 'tracks');
    assert.equal(res1.selected.checkpoint, 'best');
    const config1 = JSON.parse(await fs.readFile(path.join(out1, 'config.json'), 'utf8'));
    assert.equal(config1.batchSize, 128, 'batch-size comes from the file');
    assert.equal(config1.lrSchedule, 'cosine');
    assert.equal(config1.provenance.prepared.cached, false);
    assert.equal(config1.dataset.testCount, 100);
    assert.ok(config1.dataset.validationCount > 0);
    const h5 = config1.provenance.prepared.file as string;
    assert.ok(h5.startsWith(path.join(dir, 'home', 'prepared')));

    // gtsrb-small keeps 2 tracks per class: one of them went to validation, whole
    const total = config1.dataset.trainCount + config1.dataset.validationCount;
    assert.ok(total > config1.dataset.validationCount * 1.5 && total < config1.dataset.validationCount * 2.5, `${config1.dataset.validationCount} of ${total} held out`);

    const out2 = path.join(dir, 'run2');
    const r2 = await runCli(['train', '--config', cfg, '--data', `gtsrb:${gtsrbFixtureDir}`, '--out', out2, '--epochs', '1', '--validation', 'test']);
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stderr, /prepared set found in the cache/);
    assert.match(r2.stderr, /\(\d+ train, validation on the 100 test images, 16×16×1\)/);
    const config2 = JSON.parse(await fs.readFile(path.join(out2, 'config.json'), 'utf8'));
    assert.equal(config2.provenance.prepared.cached, true);
    assert.equal(config2.provenance.prepared.file, h5);
    const res2 = JSON.parse(await fs.readFile(path.join(out2, 'result.json'), 'utf8'));
    assert.equal(res2.validation.kind, 'test');
    assert.match(res2.validation.note, /optimistic/);
  } finally {
    if (saved === undefined) delete process.env.CONVKIT_HOME;
    else process.env.CONVKIT_HOME = saved;
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('train --config: a bad key is one line naming file, line and key (exit 2)', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-trainconfig-'));
  const cfg = path.join(dir, 'bad.yaml');
  await fs.writeFile(cfg, ['train:', '  model: gtsrb-v1', '  label-smoothing: 1.5', ''].join('\n'));
  const r = await runCli(['train', '--config', cfg, '--out', path.join(dir, 'run')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`^convkit: error: ${cfg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: train\\.label-smoothing: `));
  await fs.writeFile(cfg, ['prepare:', '  size: 32', '  colour: RGB', 'train:', '  model: gtsrb-v1', ''].join('\n'));
  const r2 = await runCli(['train', '--config', cfg, '--out', path.join(dir, 'run')]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /:3: prepare\.colour: unknown key/);
  await fs.rm(dir, { recursive: true, force: true });
});

test('a prepared set carries each image\'s track (track_train, read back with h5py); -1 for test images', { skip: skipWithoutPython('h5py') }, async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-tracks-'));
  const saved = process.env.CONVKIT_HOME;
  process.env.CONVKIT_HOME = dir;
  try {
    const r = await preparedGtsrbSet(gtsrbFixtureDir, { size: 8, mode: 'L', roi: false, seed: 42 });
    const py = requirePython('h5py');
    const t = h5pyJson(py, 'import h5py,json,sys; f=h5py.File(sys.argv[1]); print(json.dumps([len(set(f["track_train"][:].tolist())), int(f["track_test"][:].max()), len(f["track_train"]), len(f["y_train"])]))', r.file);
    assert.deepEqual(t, [86, -1, t[3], t[3]], 'track ids: 86 tracks (2 per class) in train, one per image; none in test');
  } finally {
    if (saved === undefined) delete process.env.CONVKIT_HOME;
    else process.env.CONVKIT_HOME = saved;
    await fs.rm(dir, { recursive: true, force: true });
  }
});
