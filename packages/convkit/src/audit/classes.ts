import type { ClassesReport } from './audit-types.js';

/** Images per class in train and test, and how unequal the training classes are. */
export function countClasses(trainLabels: Int32Array, testLabels: Int32Array, numClasses: number, classNames: string[]): ClassesReport {
  const train = new Array<number>(numClasses).fill(0);
  const test = new Array<number>(numClasses).fill(0);
  for (const y of trainLabels) train[y]++;
  for (const y of testLabels) test[y]++;
  const counts = train.map((n, id) => ({ id, name: classNames[id] ?? String(id), train: n, test: test[id] }));
  const nonEmpty = counts.filter((c) => c.train > 0);
  const largest = nonEmpty.reduce((a, b) => (b.train > a.train ? b : a), nonEmpty[0]);
  const smallest = nonEmpty.reduce((a, b) => (b.train < a.train ? b : a), nonEmpty[0]);
  const total = trainLabels.length;
  let entropy = 0;
  for (const c of nonEmpty) entropy -= (c.train / total) * Math.log(c.train / total);
  return {
    counts,
    imbalance: {
      ratio: largest.train / smallest.train,
      largest: { id: largest.id, count: largest.train },
      smallest: { id: smallest.id, count: smallest.train },
      normalised_entropy: numClasses > 1 ? entropy / Math.log(numClasses) : 1,
      empty: counts.filter((c) => c.train === 0).map((c) => c.id),
    },
  };
}
