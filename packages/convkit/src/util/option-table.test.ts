import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { countOrPercent } from '../cli/options.js';
import { TrainConfigSchema } from '../train/config.js';
import { countOrPercentProblem, resolveCountOrPercent } from './option-table.js';
import { stratifiedSubset } from './rng.js';

test('countOrPercent: a count or "N%" with 0 < N ≤ 100, the same on the command line and in the schema', () => {
  for (const ok of [1, 2000, '1%', '0.5%', '.5%', '25%', '100%']) {
    assert.equal(countOrPercentProblem(ok), null, String(ok));
    assert.equal(TrainConfigSchema.shape.limitTrain.safeParse(ok).success, true, String(ok));
  }
  for (const bad of [0, -3, 2.5, '0%', '101%', '150%', '25', '25 %', '%', 'abc', '1e2%', null, true]) {
    assert.match(countOrPercentProblem(bad) ?? '', /^expected a positive integer \(a count\) or a percentage such as "25%"/, String(bad));
    assert.equal(TrainConfigSchema.shape.limitTrain.safeParse(bad).success, false, String(bad));
  }
  assert.equal(countOrPercent('2000'), 2000);
  assert.equal(countOrPercent('25%'), '25%');
  for (const bad of ['0%', '101%', '2.5', 'x']) assert.throws(() => countOrPercent(bad), (e: unknown) => e instanceof InvalidArgumentError && e.message.endsWith(`got "${bad}"`));
});

test('resolveCountOrPercent: how many of n images a limit keeps; stratifiedSubset then keeps exactly that many', () => {
  assert.equal(resolveCountOrPercent(300, 8000), 300);
  assert.equal(resolveCountOrPercent(9000, 8000), 8000);
  assert.equal(resolveCountOrPercent('1%', 8000), 80);
  assert.equal(resolveCountOrPercent('2.5%', 8000), 200);
  assert.equal(resolveCountOrPercent('100%', 8000), 8000);
  assert.equal(resolveCountOrPercent('1%', 30), 1, 'at least one image');
  const labels = Int32Array.from({ length: 1000 }, (_, i) => i % 7);
  const keep = resolveCountOrPercent('5%', labels.length);
  const subset = stratifiedSubset(labels, keep / labels.length, 3);
  assert.equal(subset.length, 50);
  const perClass = Array.from({ length: 7 }, (_, c) => subset.filter((i) => labels[i] === c).length);
  assert.ok(Math.max(...perClass) - Math.min(...perClass) <= 1, `stratified: ${perClass}`);
});
