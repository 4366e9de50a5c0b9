// TTA, ensembles and the ensemble recipe, on real data (the in-repo GTSRB subset prepared at 16×16 L, mnist:embedded),
// through the command line as a user runs them.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, startCli, waitFor } from '../../test-support/cli.js';
import { gtsrbFixtureDir } from '../../test-support/paths.js';

let dir = '';
let home = '';
const env = () => ({ CONVKIT_HOME: home });
const cli = (args: string[]) => runCli(args, { env: env(), timeoutMs: 600_000 });
const json = async (file: string) => JSON.parse(await fs.readFile(file, 'utf8'));
const lines = async (file: string) => (await fs.readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const RECIPE = [
  'prepare:', '  size: 16', '  mode: L',
  'train:', '  model: gtsrb-vgg-bn', '  epochs: 8', '  batch-size: 32', '  progress: lines',
  'ensemble:', '  members:', '    - { seed: 1 }', '    - { seed: 2, lr: 0.002 }', '  parallel: 2',
  'evaluate:', '  tta: 2', '',
].join('\n');

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-ensemble-'));
  home = path.join(dir, 'home');
});
after(() => fs.rm(dir, { recursive: true, force: true }));

const out = () => path.join(dir, 'ens');
const member = (name: string) => path.join(out(), 'members', name);
const MEMBERS = ['01-gtsrb-vgg-bn-s1', '02-gtsrb-vgg-bn-s2'];

test('ensemble recipe: members trained in parallel processes on a set prepared once, stopped by SIGTERM, resumed by the same command; result.json', { timeout: 15 * 60_000 }, async () => {
  const recipe = path.join(dir, 'recipe.yaml');
  await fs.writeFile(recipe, RECIPE);
  const args = ['train', '--config', recipe, '--data', `gtsrb:${gtsrbFixtureDir}`, '--out', out()];
  const first = startCli(args, { env: env(), timeoutMs: 600_000 });
  // Stop once the first member has finished two epochs (an observable state), while members are still training.
  await waitFor('two epochs of member 1', async () => (await lines(path.join(member(MEMBERS[0]), 'metrics.jsonl'))).length >= 2, 300_000);
  first.child.kill('SIGTERM');
  const r1 = await first.done;
  assert.equal(r1.code, 143, r1.stderr);
  assert.equal((r1.stderr.match(/preparing /g) ?? []).length, 1, 'the set is prepared once, by the recipe, not by the members');
  assert.match(r1.stderr, /training 2 of 2 member\(s\), 2 process\(es\) at once × \d+ thread/);
  assert.match(r1.stderr, /convkit: error: .*interrupted by SIGTERM; .*rerun the same command/);
  await assert.rejects(fs.access(path.join(out(), 'result.json')), 'no result for an interrupted ensemble');
  const unfinished = [];
  for (const m of MEMBERS) if (!(await fs.access(path.join(member(m), 'result.json')).then(() => true, () => false))) unfinished.push(m);
  assert.ok(unfinished.length >= 1, 'the stop left a member unfinished');
  // (a member stopped before its data loaded has no config.json yet: it starts afresh on the rerun)
  const r2 = await cli(args);
  assert.equal(r2.code, 0, r2.stderr);
  for (const m of MEMBERS) {
    const log = await fs.readFile(path.join(out(), 'members', `${m}.log`), 'utf8');
    assert.doesNotMatch(log, /preparing /, `${m} trains on the prepared set`);
    const cfg = await json(path.join(member(m), 'config.json'));
    assert.equal(cfg.splitSeed, 42, 'members share the split seed (the train: block\'s seed)');
    assert.match(cfg.data, /\.h5$/);
  }
  for (const m of unfinished) assert.match(r2.stderr, new RegExp(`member ${m}: (resuming|started)`));
  assert.match(r2.stderr, /member 01-gtsrb-vgg-bn-s1: resuming/, 'the member stopped after two epochs continues from its checkpoint');
  for (const m of MEMBERS) {
    const epochs = (await lines(path.join(member(m), 'metrics.jsonl'))).map((l) => JSON.parse(l).epoch);
    assert.deepEqual(epochs, Array.from({ length: 8 }, (_, i) => i + 1), `${m}: each epoch once across the stop`);
  }
  const res = await json(path.join(out(), 'result.json'));
  assert.equal(res.test_count, 100);
  assert.ok(res.test_interval[0] <= res.test_accuracy && res.test_accuracy <= res.test_interval[1]);
  assert.equal(res.validation.kind, 'tracks');
  assert.equal(res.tta_tried, 2);
  assert.ok(res.tta === 2 ? res.val_accuracy_tta >= res.val_accuracy_no_tta : res.val_accuracy_tta < res.val_accuracy_no_tta, 'TTA kept only when not lower on validation');
  assert.equal(res.val_accuracy, res.tta ? res.val_accuracy_tta : res.val_accuracy_no_tta);
  assert.deepEqual(res.members.map((m: { dir: string; seed: number }) => [m.dir, m.seed]), [[`members/${MEMBERS[0]}`, 1], [`members/${MEMBERS[1]}`, 2]]);
  for (const m of res.members) assert.equal(m.test_accuracy, (await json(path.join(out(), m.dir, 'result.json'))).test_accuracy);
  assert.ok(res.duration_s > 0);
  assert.match(r2.stdout, /^ensemble of 2.*: test accuracy [\d.]+ % of 100 \(95 % interval/);

  // The folder's own figures again: the test set through `evaluate DIR` with the chosen TTA.
  const ev = await cli(['evaluate', out(), '--tta', String(res.tta), '--json']);
  assert.equal(ev.code, 0, ev.stderr);
  assert.equal(JSON.parse(ev.stdout).accuracy, res.test_accuracy);
  const { evaluateEnsemble } = await import('./evaluate.js');
  assert.equal((await evaluateEnsemble([out()], { split: 'validation' })).accuracy, res.val_accuracy_no_tta);

  const again = await cli(args);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /^convkit: error: .*ens: holds a finished ensemble \(result\.json exists\); use --force/m);
});

test('evaluate --tta: reproducible, and --tta 0 is plain evaluation; an ensemble of one run is that run', { timeout: 5 * 60_000 }, async () => {
  const run = member(MEMBERS[0]);
  const plain = await cli(['evaluate', run, '--json']);
  assert.equal(plain.code, 0, plain.stderr);
  const p = JSON.parse(plain.stdout);
  // The rest in this process (each CLI start costs seconds): the same functions the command calls.
  const { evaluateEnsemble } = await import('./evaluate.js');
  const t0 = await evaluateEnsemble([run], { tta: 0 });
  assert.equal(t0.accuracy, p.test_accuracy);
  assert.ok(Math.abs(t0.loss - p.test_loss) < 1e-9);
  const [ta, tb] = [await evaluateEnsemble([run], { tta: 3 }), await evaluateEnsemble([run], { tta: 3 })];
  assert.deepEqual([ta.accuracy, ta.loss, ta.count], [tb.accuracy, tb.loss, tb.count], 'the same transforms each time');
  assert.notEqual(ta.loss, p.test_loss, 'three transforms change the probabilities');
  const cliTta = JSON.parse((await cli(['evaluate', run, '--tta', '3', '--json'])).stdout);
  assert.deepEqual([cliTta.accuracy, cliTta.loss], [ta.accuracy, ta.loss], 'and in another process');
  const one = await evaluateEnsemble([run]);
  assert.equal(one.accuracy, (await json(path.join(run, 'result.json'))).test_accuracy);
  // --split validation rebuilds the held-out tracks the run chose its checkpoint on
  const v = await evaluateEnsemble([run], { split: 'validation' });
  const cfg = await json(path.join(run, 'config.json'));
  assert.equal(v.count, cfg.dataset.validationCount);
  assert.equal(v.accuracy, (await json(path.join(run, 'result.json'))).val_accuracy);
});

test('evaluate --ensemble of two runs averages their probabilities; members of another shape are refused in one line', { timeout: 5 * 60_000 }, async () => {
  const [m1, m2] = MEMBERS.map(member);
  const r = await cli(['evaluate', '--ensemble', m1, m2, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const e = JSON.parse(r.stdout);
  assert.equal(e.count, 100);
  const { evaluateEnsemble } = await import('./evaluate.js');
  assert.equal(e.accuracy, (await evaluateEnsemble([out()])).accuracy, 'the folder and its members named one by one agree');
  // The same average computed here, image by image, from each member's own predictor.
  const { loadDataset } = await import('../datasets/index.js');
  const { loadPredictor } = await import('../inference/predictor.js');
  const { batchPixels } = await import('../train/batches.js');
  const { selectBackend } = await import('../train/backend.js');
  await selectBackend('auto', () => {});
  const data = await loadDataset((await json(path.join(m1, 'config.json'))).data);
  const shape = { height: data.height, width: data.width, channels: data.channels, numClasses: data.numClasses };
  const x = batchPixels(data.test, null, 0, data.test.count, shape);
  const probs: Float32Array[] = [];
  for (const m of [m1, m2]) {
    const p = await loadPredictor(m);
    probs.push(p.predict(x, data.test.count));
    p.dispose();
  }
  let correct = 0;
  for (let i = 0; i < data.test.count; i++) {
    const avg = Array.from({ length: shape.numClasses }, (_, c) => probs[0][i * shape.numClasses + c] + probs[1][i * shape.numClasses + c]);
    if (avg.indexOf(Math.max(...avg)) === data.test.y[i]) correct++;
  }
  assert.equal(e.accuracy, correct / data.test.count);
  const singles = await Promise.all([m1, m2].map(async (m) => (await json(path.join(m, 'result.json'))).test_loss));
  assert.ok(singles.every((l) => Math.abs(l - e.loss) > 1e-9), 'the average is neither member');

  const mnistRun = path.join(dir, 'mnist');
  const t = await cli(['train', '--model', 'mnist-dnn', '--data', 'mnist:embedded', '--epochs', '1', '--limit-train', '500', '--progress', 'none', '--out', mnistRun]);
  assert.equal(t.code, 0, t.stderr);
  const bad = await cli(['evaluate', '--ensemble', m1, mnistRun]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, new RegExp(`^convkit: error: ${escape(path.join(mnistRun, 'config.json'))}: data \\("mnist:embedded"\\) differs from .*: ensemble members must share it\\n$`));
  const bad2 = await cli(['evaluate', m1, '--data', 'mnist:embedded', '--tta', '2']);
  assert.equal(bad2.code, 2);
  assert.match(bad2.stderr, /^convkit: error: option --data: cannot be combined with --ensemble, --tta/);
});

test('recipe blocks: a bad key or value of ensemble: / evaluate: is one line naming file, line and key (exit 2)', { timeout: 2 * 60_000 }, async () => {
  const cases: [string[], RegExp][] = [
    [['ensemble:', '  members: []'], /:4: ensemble\.members: expected a list of one or more members/],
    [['ensemble:', '  members:', '    - { seed: 1 }', '  paralel: 2'], /:6: ensemble\.paralel: unknown key \(expected members, parallel\)/],
    [['ensemble:', '  members:', '    - { seed: 1 }', '    - { seed: 2, data: mnist }'], /:6: ensemble\.members\.1\.data: set in the train: block for every member/],
    [['ensemble:', '  members:', '    - { seed: 1, lr: -1 }'], /:5: ensemble\.members\.0\.lr: /],
    [['ensemble:', '  members:', '    - { seed: 1 }', '  parallel: 0'], /:6: ensemble\.parallel: must be an integer >= 1/],
    [['evaluate:', '  tta: -1'], /:4: evaluate\.tta: must be an integer >= 0/],
    [['evaluate:', '  tta: 2', '  tt: 1'], /:5: evaluate\.tt: unknown key/],
  ];
  const { readTrainConfigFile } = await import('../train/config-file.js');
  for (const [i, [lines, re]] of cases.entries()) {
    const file = path.join(dir, `bad-${i}.yaml`);
    await fs.writeFile(file, ['train:', '  model: mnist-dnn', ...lines, ''].join('\n'));
    await assert.rejects(readTrainConfigFile(file), (e: Error) => new RegExp(`^${escape(file)}${re.source}`).test(e.message), lines.join(' / '));
  }
  // and from the command line: one line, exit 2
  const r = await cli(['train', '--config', path.join(dir, 'bad-1.yaml'), '--out', path.join(dir, 'never')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`^convkit: error: ${escape(path.join(dir, 'bad-1.yaml'))}:6: ensemble\\.paralel: unknown key`));
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  await assert.rejects(fs.access(path.join(dir, 'never')), 'nothing written');
});

test('report of an ensemble: its folder (with the TTA its result chose) and --ensemble RUN give the confusion matrix, per-class table and errors of the averaged probabilities', { timeout: 5 * 60_000 }, async () => {
  const res = await json(path.join(out(), 'result.json'));
  const r = await cli(['report', out(), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const a = JSON.parse(r.stdout);
  assert.equal(a.test.count, 100);
  assert.equal(a.test.accuracy, res.test_accuracy, 'the figure result.json recorded');
  assert.equal(a.ensemble.tta, res.tta);
  assert.deepEqual(a.ensemble.members.map((m: { run: string }) => path.basename(m.run)), MEMBERS);
  assert.equal(a.confusion.length, 43);
  assert.equal(a.confusion.flat().reduce((s: number, v: number) => s + v, 0), 100);
  assert.equal(a.perClass.length, 43);
  assert.equal(a.errors.count, Math.round((1 - a.test.accuracy) * 100));
  assert.deepEqual(a.featureMaps, []);
  const { analyseEnsemble } = await import('./report.js');
  const { analyseRun } = await import('../report/analysis.js');
  const one = await analyseEnsemble([member(MEMBERS[0])]);
  const run = await analyseRun(member(MEMBERS[0]), { noCache: true, log: () => {} });
  assert.equal(one.test.accuracy, run.test.accuracy, 'an ensemble of one reports as its run');
  assert.deepEqual(one.confusion, run.confusion);
  const text = await cli(['report', out()]);
  assert.match(text.stdout, /ensemble of 2 \(gtsrb-vgg-bn\).* on .*; members: /);
  assert.match(text.stdout, /weakest classes:/);
});

test('evaluate: {tta} without ensemble: the single run is trained as always, then the TTA choice on its validation split is recorded in its result.json', { timeout: 5 * 60_000 }, async () => {
  const recipe = path.join(dir, 'single.yaml');
  await fs.writeFile(recipe, ['train:', '  model: mnist-dnn', '  epochs: 1', '  limit-train: 600', '  validation: 0.2', '  progress: none', 'evaluate:', '  tta: 2', ''].join('\n'));
  const run = path.join(dir, 'single');
  const r = await cli(['train', '--config', recipe, '--out', run, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const res = await json(path.join(run, 'result.json'));
  assert.deepEqual(JSON.parse(r.stdout), res);
  assert.equal(res.tta_tried, 2);
  assert.equal(res.tta, res.val_accuracy_tta >= res.val_accuracy_no_tta ? 2 : 0);
  assert.equal(res.val_accuracy_no_tta, res.val_accuracy, 'without TTA, validation is what training recorded');
  const { evaluateEnsemble } = await import('./evaluate.js');
  const plain = (await evaluateEnsemble([run])).accuracy;
  if (res.tta) {
    assert.equal(res.test_accuracy_no_tta, plain);
    assert.equal(res.test_accuracy, (await evaluateEnsemble([run], { tta: 2 })).accuracy);
  } else {
    assert.equal(res.test_accuracy, plain);
    assert.equal(res.test_accuracy_no_tta, undefined);
  }
  assert.match(r.stderr, /validation \(\d+ images\): [\d.]+ % without TTA, [\d.]+ % with 2 transforms: TTA (kept|dropped)/);
});
