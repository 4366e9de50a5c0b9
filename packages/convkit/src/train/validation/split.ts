// Hand-written: a GTSRB-specific grouping (tracks) that no splitting library knows about.
import { Rng } from '../../util/rng.js';

/**
 * Seeded track-wise split stratified by class: in each class, `fraction` of its tracks (rounded, at least one when
 * the class has two or more) go to validation with all their images, so no physical sign is seen on both sides.
 * Images whose track is unknown (-1) count as tracks of their own. Both index lists come back shuffled.
 */
export function trackSplit(labels: ArrayLike<number>, tracks: ArrayLike<number>, fraction: number, seed: number): { train: Int32Array; validation: Int32Array } {
  const rng = new Rng(seed);
  const byClass = new Map<number, Map<number, number[]>>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    const t = tracks[i] >= 0 ? tracks[i] : -1 - i;
    let ts = byClass.get(c);
    if (!ts) byClass.set(c, (ts = new Map()));
    let imgs = ts.get(t);
    if (!imgs) ts.set(t, (imgs = []));
    imgs.push(i);
  }
  const train: number[] = [];
  const validation: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const ts = byClass.get(c)!;
    const ids = rng.shuffle([...ts.keys()].sort((a, b) => a - b));
    let nVal = Math.round(ids.length * fraction);
    if (nVal === 0 && ids.length >= 2) nVal = 1;
    if (nVal >= ids.length) nVal = ids.length - 1;
    ids.forEach((t, k) => (k < nVal ? validation : train).push(...ts.get(t)!));
  }
  return { train: rng.shuffle(Int32Array.from(train)), validation: rng.shuffle(Int32Array.from(validation)) };
}
