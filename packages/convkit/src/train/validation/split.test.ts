import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexGtsrb, gtsrbTrackId } from '../../datasets/gtsrb.js';
import { gtsrbFixtureDir } from '../../../test-support/paths.js';
import { trackSplit } from './split.js';

test('trackSplit keeps every track on one side, stratified by class, seeded', () => {
  // 3 classes × 10 tracks × 3 images; class 2 has a single track.
  const labels: number[] = [];
  const tracks: number[] = [];
  for (const c of [0, 1]) for (let t = 0; t < 10; t++) for (let k = 0; k < 3; k++) (labels.push(c), tracks.push(c * 100000 + t));
  for (let k = 0; k < 3; k++) (labels.push(2), tracks.push(200000));
  const s = trackSplit(labels, tracks, 0.2, 7);
  assert.equal(s.train.length + s.validation.length, labels.length);
  assert.equal(new Set([...s.train, ...s.validation]).size, labels.length);
  const valTracks = new Set(Array.from(s.validation, (i) => tracks[i]));
  for (const i of s.train) assert.ok(!valTracks.has(tracks[i]), `track ${tracks[i]} on both sides`);
  // 20 % of 10 tracks = 2 tracks (6 images) per class; the single-track class stays in train.
  for (const c of [0, 1]) assert.equal(Array.from(s.validation).filter((i) => labels[i] === c).length, 6);
  assert.equal(Array.from(s.validation).filter((i) => labels[i] === 2).length, 0);
  assert.deepEqual(trackSplit(labels, tracks, 0.2, 7), s);
  assert.notDeepEqual(Array.from(trackSplit(labels, tracks, 0.2, 8).validation).sort(), Array.from(s.validation).sort());
});

test('gtsrbTrackId reads the track from real GTSRB training file names (the in-repo fixture)', async () => {
  const index = await indexGtsrb(gtsrbFixtureDir);
  const ids = index.train.map(gtsrbTrackId);
  assert.ok(ids.every((t) => t >= 0));
  // the in-repo fixture keeps two tracks of three images per class
  assert.equal(new Set(ids).size, 2 * 43);
  assert.ok(index.test.every((s) => gtsrbTrackId(s) === -1));
  const s = trackSplit(index.train.map((x) => x.classId), ids, 0.5, 1);
  assert.equal(new Set(Array.from(s.validation, (i) => ids[i])).size, 43);
});
