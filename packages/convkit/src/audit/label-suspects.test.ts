import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { test } from 'node:test';
import { extended } from '../../test-support/extended.js';
import { copyWithMisfiled, loadTrainingImages } from '../../test-support/gtsrb-misfiled.js';
import { gtsrbMiniDir } from '../../test-support/paths.js';
import { ConvkitError } from '../util/errors.js';
import { assignFolds, DEFAULT_SUSPECT_EPOCHS, DEFAULT_SUSPECT_FOLDS, findLabelSuspects, rankLabelSuspects } from './label-suspects.js';

// Dyadic probabilities, so thresholds and the p ≥ t comparisons are exact in float32.
const LABELS = Int32Array.from([0, 0, 1, 1, 2, 2, 2, 2]);
const PROBS = Float32Array.from([
  [0.875, 0.0625, 0.0625], // 0: confident in its class
  [0.5, 0.375, 0.125], //     1: no class reaches its threshold: not counted
  [0.125, 0.75, 0.125], //    2: fine
  [0.6875, 0.25, 0.0625], //  3: labelled 1, p(0) exactly at t0: suspect, suggested 0, score 0.75
  [0.125, 0.125, 0.75], //    4: fine
  [0.25, 0.125, 0.625], //    5: fine
  [0.0625, 0.5625, 0.375], // 6: labelled 2, p(1) ≥ t1, p(2) < t2: suspect, suggested 1, score 0.625
  [0, 0.75, 0.25], //         7: labelled 2: suspect, suggested 1, score 0.75 (ties 3, higher p(suggested))
].flat());

test('rankLabelSuspects: per-class mean self-confidence thresholds, the confident off-diagonal, ranked by 1 − p(given)', () => {
  const { thresholds, suspects } = rankLabelSuspects(PROBS, LABELS, 3);
  assert.deepEqual(Array.from(thresholds), [0.6875, 0.5, 0.5]); // (0.875 + 0.5)/2, (0.75 + 0.25)/2, (0.75 + 0.625 + 0.375 + 0.25)/4
  assert.deepEqual(suspects, [
    { index: 7, given: 2, suggested: 1, score: 0.75 },
    { index: 3, given: 1, suggested: 0, score: 0.75 },
    { index: 6, given: 2, suggested: 1, score: 0.625 },
  ]);
});

test('rankLabelSuspects: the suggested class is the most probable of those above threshold, not the argmax overall', () => {
  // Class 0's threshold is high (0.95): image 2 (labelled 1) has p(0) = 0.6, below it; p(2) = 0.3 reaches t2 = 0.3.
  const labels = Int32Array.from([0, 0, 1, 1, 2]);
  const probs = Float32Array.from([[1, 0, 0], [0.9, 0.1, 0], [0.6, 0.1, 0.3], [0, 1, 0], [0.7, 0, 0.3]].flat());
  const { thresholds, suspects } = rankLabelSuspects(probs, labels, 3);
  assert.ok(Math.abs(thresholds[0] - 0.95) < 1e-6 && Math.abs(thresholds[1] - 0.55) < 1e-6 && Math.abs(thresholds[2] - 0.3) < 1e-6, String(thresholds));
  assert.deepEqual(suspects.map((s) => [s.index, s.suggested]), [[2, 2]]);
});

test('rankLabelSuspects: a class nobody is labelled with gets an infinite threshold; bad inputs are one-line errors', () => {
  const { thresholds, suspects } = rankLabelSuspects(Float32Array.from([0.2, 0.8, 0, 0.4, 0.6, 0]), Int32Array.from([0, 0]), 3);
  assert.deepEqual(Array.from(thresholds), [0.30000001192092896, Infinity, Infinity]);
  assert.deepEqual(suspects, []);
  assert.throws(() => rankLabelSuspects(new Float32Array(5), Int32Array.from([0, 1]), 3), (e: unknown) => e instanceof ConvkitError && /5 probabilities for 2 images × 3 classes/.test(e.message));
  assert.throws(() => rankLabelSuspects(new Float32Array(6), Int32Array.from([0, 3]), 3), (e: unknown) => e instanceof ConvkitError && /image 1 has label 3/.test(e.message));
});

test('assignFolds: whole groups in one fold, each class spread over the folds, the same for the same seed', () => {
  // 4 classes × 6 groups of 5 images, groups in arbitrary order; and by image.
  const labels: number[] = [];
  const groups: number[] = [];
  for (let g = 0; g < 24; g++) for (let i = 0; i < 5; i++) (labels.push(g % 4), groups.push(1000 + ((g * 7) % 24)));
  const y = Int32Array.from(labels);
  const folds = assignFolds(y, Int32Array.from(groups), 3, 5);
  assert.deepEqual(folds, assignFolds(y, Int32Array.from(groups), 3, 5));
  const foldOf = new Map<number, number>();
  groups.forEach((g, i) => {
    if (foldOf.has(g)) assert.equal(folds[i], foldOf.get(g), `group ${g} split`);
    foldOf.set(g, folds[i]);
  });
  for (let c = 0; c < 4; c++) for (let f = 0; f < 3; f++) assert.equal(labels.filter((l, i) => l === c && folds[i] === f).length, 10, `class ${c} fold ${f}`);
  const byImage = assignFolds(y, null, 4, 5);
  for (let c = 0; c < 4; c++) for (let f = 0; f < 4; f++) assert.ok([7, 8].includes(labels.filter((l, i) => l === c && byImage[i] === f).length));
  assert.notDeepEqual(byImage, assignFolds(y, null, 4, 6), 'another seed, other folds');
});

test('findLabelSuspects refuses inputs that cannot make folds', async () => {
  const input = { x: new Float32Array(4 * 28 * 28), shape: [4, 28, 28, 1] as [number, number, number, number], labels: Int32Array.from([0, 1, 0, 1]), numClasses: 2, groups: Int32Array.from([7, 7, 8, 8]) };
  await assert.rejects(findLabelSuspects(input, { folds: 3, model: 'auto', epochs: 1, seed: 1 }), /2 groups cannot fill 3 folds/);
  await assert.rejects(findLabelSuspects({ ...input, labels: Int32Array.from([0, 1]) }, { folds: 2, model: 'auto', epochs: 1, seed: 1 }), /2 labels for 4 images/);
});

// gtsrb-mini with 10 training images moved to another class folder (CSV rows moved with them): the default fold
// models (folds by image; each track has its other frames in the training folds) must rank ≥ 6 of them among the 50
// strongest suspects. About 80 s on 2 cores.
test('gtsrb-mini: ≥ 6 of 10 misfiled images among the 50 strongest label suspects', extended(gtsrbMiniDir), async () => {
  const { root, misfiled } = await copyWithMisfiled(gtsrbMiniDir, { tracksPerClass: 0, plant: 10, seed: 3 });
  try {
    const d = await loadTrainingImages(root, 32);
    assert.equal(d.labels.length, 2580);
    const planted = new Map(misfiled.map((m) => [m.file, m]));
    const plantedIdx = d.files.flatMap((f, i) => (planted.has(f) ? [i] : []));
    assert.equal(plantedIdx.length, 10, 'the reader sees the moved images');
    for (const i of plantedIdx) assert.equal(d.labels[i], planted.get(d.files[i])!.filedAs, 'labelled by the folder it was moved to');
    const lines: string[] = [];
    const r = await findLabelSuspects(
      { x: d.x, shape: [2580, 32, 32, 3], labels: d.labels, numClasses: 43, groups: null },
      { folds: DEFAULT_SUSPECT_FOLDS, model: 'auto', epochs: DEFAULT_SUSPECT_EPOCHS, seed: 1, onProgress: (l) => lines.push(l) },
    );
    assert.equal(r.byGroup, false);
    assert.equal(lines.filter((l) => / epoch \d+\/\d+:/.test(l)).length, DEFAULT_SUSPECT_FOLDS * DEFAULT_SUSPECT_EPOCHS, 'one line per fold and epoch');
    for (let i = 0; i < 2580; i += 97) {
      const sum = r.probabilities.subarray(i * 43, (i + 1) * 43).reduce((s, p) => s + p, 0);
      assert.ok(Math.abs(sum - 1) < 1e-3, `image ${i}: probabilities sum to ${sum}`);
    }
    const top = r.suspects.slice(0, 50);
    const found = top.filter((s) => planted.has(d.files[s.index]));
    assert.ok(found.length >= 6, `${found.length} of 10 misfiled images among the 50 strongest suspects (${r.suspects.length} suspects)`);
    for (const s of r.suspects) assert.equal(s.given, d.labels[s.index]);
    for (let i = 1; i < r.suspects.length; i++) assert.ok(r.suspects[i].score <= r.suspects[i - 1].score, 'ranked');
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
