import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gtsrbFixtureDir, repoRoot } from '../../test-support/paths.js';
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

test('the recipe takes its test images from ROOT\'s Final_Test/ or --test-root (part of the cache key); neither: one line naming --test-root', { timeout: 10 * 60_000 }, async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-testroot-'));
  const saved = process.env.CONVKIT_HOME;
  process.env.CONVKIT_HOME = path.join(dir, 'home');
  try {
    const recipe = path.join(repoRoot, 'recipes', 'gtsrb-best.yaml');
    // A copy of the training set alone, and a second test folder with one image fewer than the fixture's.
    const trainOnly = path.join(dir, 'train-only');
    await fs.mkdir(path.join(trainOnly, 'GTSRB'), { recursive: true });
    await fs.symlink(path.join(gtsrbFixtureDir, 'GTSRB', 'Final_Training'), path.join(trainOnly, 'GTSRB', 'Final_Training'));
    const otherTest = path.join(dir, 'other-test');
    await fs.mkdir(path.join(otherTest, 'Final_Test'), { recursive: true });
    await fs.symlink(path.join(gtsrbFixtureDir, 'GTSRB', 'Final_Test', 'Images'), path.join(otherTest, 'Final_Test', 'Images'));
    const csv = (await fs.readFile(path.join(gtsrbFixtureDir, 'GTSRB', 'Final_Test', 'GT-final_test.csv'), 'utf8')).trimEnd().split('\n');
    await fs.writeFile(path.join(otherTest, 'Final_Test', 'GT-final_test.csv'), csv.slice(0, -1).join('\n') + '\n');
    const quick = ['--epochs', '1', '--batch-size', '128', '--progress', 'none', '--json'];

    const none = await runCli(['train', '--config', recipe, '--data', `gtsrb:${trainOnly}`, '--out', path.join(dir, 'r0'), ...quick]);
    assert.equal(none.code, 2, none.stderr);
    assert.equal(none.stderr.trim().split('\n').length, 1, none.stderr);
    assert.match(none.stderr, /^convkit: error: .*train-only\/GTSRB: no Final_Test\/ here .*--test-root DIR/);

    const own = await runCli(['train', '--config', recipe, '--data', `gtsrb:${gtsrbFixtureDir}`, '--out', path.join(dir, 'r1'), ...quick]);
    assert.equal(own.code, 0, own.stderr);
    const c1 = JSON.parse(await fs.readFile(path.join(dir, 'r1', 'config.json'), 'utf8'));
    assert.equal(c1.dataset.testCount, 100, "ROOT's own Final_Test/");
    assert.equal(c1.provenance.prepared.settings.test, undefined, 'the recipe names no test folder');

    const given = await runCli(['train', '--config', recipe, '--data', `gtsrb:${trainOnly}`, '--test-root', gtsrbFixtureDir, '--out', path.join(dir, 'r2'), ...quick]);
    assert.equal(given.code, 0, given.stderr);
    const c2 = JSON.parse(await fs.readFile(path.join(dir, 'r2', 'config.json'), 'utf8'));
    assert.equal(c2.dataset.testCount, 100);
    assert.equal(c2.provenance.prepared.settings.test, gtsrbFixtureDir);

    const other = await runCli(['train', '--config', recipe, '--data', `gtsrb:${trainOnly}`, '--test-root', otherTest, '--out', path.join(dir, 'r3'), ...quick]);
    assert.equal(other.code, 0, other.stderr);
    const c3 = JSON.parse(await fs.readFile(path.join(dir, 'r3', 'config.json'), 'utf8'));
    assert.equal(c3.dataset.testCount, 99);
    assert.notEqual(c3.provenance.prepared.hash, c2.provenance.prepared.hash, 'another test folder: another prepared set');

    const mnist = await runCli(['train', '--model', 'mnist-dnn', '--test-root', gtsrbFixtureDir, '--out', path.join(dir, 'r4')]);
    assert.equal(mnist.code, 2);
    assert.match(mnist.stderr, /^convkit: error: option --test-root: needs a prepare: block/);
  } finally {
    if (saved === undefined) delete process.env.CONVKIT_HOME;
    else process.env.CONVKIT_HOME = saved;
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('recipes and examples name no path of the repository\'s surroundings (../shared, /tmp)', async () => {
  for (const folder of ['recipes', 'examples']) {
    for (const f of await fs.readdir(path.join(repoRoot, folder), { recursive: true })) {
      if (!/\.(ya?ml|json)$/.test(f)) continue;
      const text = await fs.readFile(path.join(repoRoot, folder, f), 'utf8');
      assert.doesNotMatch(text, /\.\.\/shared|\/tmp\b/, `${folder}/${f}`);
    }
  }
});
