import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scalingCharts, scalingRows } from './scaling.js';

test('scalingCharts: one chart per dataset with ≥ 2 sizes, one line per family, mean and min–max of the repeats', () => {
  const charts = scalingCharts([
    { dataset: 'mnist', family: 'dnn', limit: '1%', trainCount: 80, accuracy: 0.5 },
    { dataset: 'mnist', family: 'dnn', limit: '1%', trainCount: 80, accuracy: 0.6 },
    { dataset: 'mnist', family: 'cnn', limit: '1%', trainCount: 80, accuracy: 0.7 },
    { dataset: 'mnist', family: 'dnn', limit: '100%', trainCount: 8000, accuracy: 0.9 },
    { dataset: 'mnist', family: 'dnn', trainCount: 8000, accuracy: 0.92 }, // no limit = the whole set, the same point
    // validation held out a share that varies with the seed: one point at the mean count, every family alike
    { dataset: 'gtsrb', family: 'dnn', limit: '5%', trainCount: 100, accuracy: 0.2 },
    { dataset: 'gtsrb', family: 'cnn', limit: '5%', trainCount: 110, accuracy: 0.3 },
    { dataset: 'gtsrb', family: 'cnn', limit: 1000, trainCount: 1000, accuracy: 0.4 },
    { dataset: 'one-size', family: 'dnn', limit: '5%', trainCount: 10, accuracy: 0.1 },
    { dataset: 'one-size', family: 'big', limit: '5%', trainCount: 10, accuracy: 0.1 },
    { dataset: 'mnist', family: 'broken', limit: '5%', trainCount: 400, accuracy: Number.NaN },
  ]);
  assert.deepEqual(charts.map((c) => c.dataset), ['mnist', 'gtsrb'], 'one-size has a single size: no chart');
  const [mnist, gtsrb] = charts;
  assert.deepEqual(mnist.sizes, [80, 8000]);
  // families sorted by name, each with its place among all of them: the same colour in every chart
  // ('one-size' has a family 'big' that no chart draws: it keeps its place, so a colour names one family everywhere)
  assert.deepEqual(mnist.lines.map((l) => [l.family, l.colour]), [['cnn', 1], ['dnn', 2]]);
  assert.deepEqual(gtsrb.lines.map((l) => [l.family, l.colour]), [['cnn', 1], ['dnn', 2]]);
  const dnn = mnist.lines[1].points;
  assert.equal(dnn.length, 2);
  assert.deepEqual({ ...dnn[0], mean: +dnn[0].mean.toFixed(6) }, { trainCount: 80, limit: '1%', mean: 0.55, min: 0.5, max: 0.6, accuracies: [0.5, 0.6] });
  assert.deepEqual([dnn[1].min, dnn[1].max, dnn[1].accuracies.length, dnn[1].limit], [0.9, 0.92, 2, '100%']);
  assert.deepEqual(mnist.lines[0].points.map((p) => [p.trainCount, p.mean, p.min, p.max]), [[80, 0.7, 0.7, 0.7]]);
  assert.deepEqual(gtsrb.sizes, [105, 1000]);
  assert.deepEqual(gtsrb.lines.map((l) => l.points.map((p) => p.trainCount)), [[105, 1000], [105]]);
  const { header, rows } = scalingRows(mnist);
  assert.deepEqual(header, ['training images', 'limit-train', 'cnn', 'dnn']);
  assert.deepEqual(rows, [
    ['80', '1%', '70.00 %', '55.00 % (50.00–60.00, n=2)'],
    ['8,000', '100%', '—', '91.00 % (90.00–92.00, n=2)'],
  ]);
});
