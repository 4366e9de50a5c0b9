import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stratifiedSubset } from './rng.js';

// 43 classes of uneven sizes, as in GTSRB: per-class rounding alone would miss the total.
const sizes = Array.from({ length: 43 }, (_, c) => 7 + ((c * 13) % 29));
const ys = Int32Array.from(sizes.flatMap((n, c) => Array.from({ length: n }, () => c)));

test('stratifiedSubset: exactly round(fraction × n) images, every class within one image of its share, seeded', () => {
  for (const want of [1, 43, 100, 257, ys.length - 1]) {
    const idx = stratifiedSubset(ys, want / ys.length, 3);
    assert.equal(idx.length, want, `asked ${want}`);
    assert.equal(new Set(idx).size, want, 'no index twice');
    const per = new Array(43).fill(0);
    for (const i of idx) per[ys[i]]++;
    per.forEach((k, c) => assert.ok(Math.abs(k - (sizes[c] * want) / ys.length) < 1, `class ${c}: ${k} of ${sizes[c]} for ${want}`));
  }
  assert.deepEqual(stratifiedSubset(ys, 0.3, 3), stratifiedSubset(ys, 0.3, 3));
  assert.notDeepEqual(stratifiedSubset(ys, 0.3, 3), stratifiedSubset(ys, 0.3, 4));
  assert.equal(stratifiedSubset(ys, 1, 3).length, ys.length);
});
