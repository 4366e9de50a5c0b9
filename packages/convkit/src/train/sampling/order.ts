import { Rng } from '../../util/rng.js';

/**
 * How many of `length` visits each class gets when class c's share is weights[c] / Σ weights (classes with no
 * training image get none): the floors of the exact shares, then one more for the largest remainders (ties: lower
 * class id), so the counts sum to `length` exactly.
 */
export function classQuotas(weights: readonly number[], present: readonly boolean[], length: number): number[] {
  const w = weights.map((x, c) => (present[c] && x > 0 ? x : 0));
  const total = w.reduce((s, x) => s + x, 0);
  if (!(total > 0)) throw new RangeError('sampling: no class with training images has a positive weight');
  const exact = w.map((x) => (length * x) / total);
  const quotas = exact.map(Math.floor);
  let left = length - quotas.reduce((s, q) => s + q, 0);
  const byRemainder = exact.map((e, c) => [e - Math.floor(e), c] as const).filter(([, c]) => w[c] > 0).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, c] of byRemainder) {
    if (left-- <= 0) break;
    quotas[c]++;
  }
  return quotas;
}

/**
 * The `length` training images epoch `epoch` visits when classes are drawn by weight (--sampling balanced | errors):
 * each class gets its quota (classQuotas), filled by going through its images in a seeded random order (again from
 * the start when the quota exceeds them: a small class's images are repeated evenly, a large one's are not all
 * seen), then the whole epoch is shuffled. A pure function of its arguments, so a resumed run replays it exactly.
 */
export function sampledOrder(seed: number, epoch: number, y: Int32Array, weights: readonly number[], length: number): Int32Array {
  const byClass: number[][] = weights.map(() => []);
  for (let i = 0; i < y.length; i++) byClass[y[i]]?.push(i);
  const quotas = classQuotas(weights, byClass.map((l) => l.length > 0), length);
  // Its own stream (not epochOrder's): the draw of classes never shifts the uniform order of other runs.
  const rng = new Rng([(seed ^ 0x510e527f) >>> 0, (epoch ^ 0x9b05688c) >>> 0, 0x1f83d9ab, 2]);
  const out = new Int32Array(length);
  let at = 0;
  for (let c = 0; c < byClass.length; c++) {
    const images = byClass[c];
    let perm: Int32Array = new Int32Array(0);
    for (let k = 0; k < quotas[c]; k++) {
      if (k % images.length === 0) perm = rng.permutation(images.length);
      out[at++] = images[perm[k % images.length]];
    }
  }
  return rng.shuffle(out);
}
