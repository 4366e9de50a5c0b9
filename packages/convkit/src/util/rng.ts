/**
 * Seeded PRNG (sfc32) whose whole state is four uint32: it can be saved in a checkpoint
 * and restored, which is what makes resumed runs identical to uninterrupted ones.
 */
export class Rng {
  private s: Uint32Array;

  constructor(seed: number | Uint32Array | number[]) {
    if (typeof seed === 'number') {
      this.s = new Uint32Array([0x9e3779b9, 0x243f6a88, 0xb7e15162, seed >>> 0]);
      for (let i = 0; i < 15; i++) this.nextUint32();
    } else {
      this.s = Uint32Array.from(seed);
    }
  }

  nextUint32(): number {
    const s = this.s;
    const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
    s[3] = (s[3] + 1) >>> 0;
    s[0] = s[1] ^ (s[1] >>> 9);
    s[1] = (s[2] + (s[2] << 3)) >>> 0;
    s[2] = ((s[2] << 21) | (s[2] >>> 11)) >>> 0;
    s[2] = (s[2] + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  getState(): number[] {
    return Array.from(this.s);
  }

  setState(state: number[]): void {
    this.s = Uint32Array.from(state);
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: any }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

let globalRng: Rng | null = null;
/** What Math.random was before the first seeding, put back by `unseedGlobalRandom`. */
let unseededRandom: (() => number) | null = null;

function routeMathRandom(rng: Rng): void {
  if (unseededRandom === null) unseededRandom = Math.random;
  Math.random = () => rng.next();
}

/**
 * Routes Math.random through a seeded Rng. tfjs draws weight initialisers and dropout masks
 * from Math.random when no seed is given, so this makes a whole training run reproducible.
 * Process-wide until `unseedGlobalRandom()`, which training calls when it ends.
 */
export function seedGlobalRandom(seed: number): Rng {
  globalRng = new Rng(seed ^ 0x5bd1e995);
  routeMathRandom(globalRng);
  return globalRng;
}

export function globalRandomState(): number[] | null {
  return globalRng ? globalRng.getState() : null;
}

export function restoreGlobalRandom(state: number[]): void {
  if (!globalRng) globalRng = new Rng(state);
  else globalRng.setState(state);
  routeMathRandom(globalRng);
}

/** Gives Math.random back what it was before `seedGlobalRandom` (no-op when not seeded). */
export function unseedGlobalRandom(): void {
  globalRng = null;
  if (unseededRandom !== null) Math.random = unseededRandom;
  unseededRandom = null;
}

/** The indices of each label, in order. */
function indicesByClass(labels: ArrayLike<number>): Map<number, number[]> {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  return byClass;
}

/**
 * Seeded stratified split: for each class, a fraction `testFraction` of its indices goes to test.
 * Returns sorted-by-draw index lists so the result does not depend on input order beyond labels.
 */
export function stratifiedSplit(labels: ArrayLike<number>, testFraction: number, seed: number): { train: Int32Array; test: Int32Array } {
  const rng = new Rng(seed);
  const byClass = indicesByClass(labels);
  const train: number[] = [];
  const test: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = rng.shuffle(byClass.get(c)!);
    const nTest = Math.round(idx.length * testFraction);
    test.push(...idx.slice(0, nTest));
    train.push(...idx.slice(nTest));
  }
  return { train: rng.shuffle(Int32Array.from(train)), test: rng.shuffle(Int32Array.from(test)) };
}

/**
 * Seeded stratified subset of exactly round(fraction × n) images (--limit-train, --limit-test, prepare --scale): each
 * class keeps the floor of its share, and the images still missing go to the classes with the largest remainders
 * (ties to the lower class), so `--limit-train 2000` means 2,000 images, not 2,000 give or take the per-class rounding.
 */
export function stratifiedSubset(labels: ArrayLike<number>, fraction: number, seed: number): Int32Array {
  if (fraction >= 1) return Int32Array.from({ length: labels.length }, (_, i) => i);
  const rng = new Rng(seed);
  const byClass = indicesByClass(labels);
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const share = classes.map((c) => byClass.get(c)!.length * fraction);
  const keep = share.map(Math.floor);
  let missing = Math.round(labels.length * fraction) - keep.reduce((s, k) => s + k, 0);
  const byRemainder = classes.map((_, k) => k).sort((a, b) => share[b] - keep[b] - (share[a] - keep[a]) || a - b);
  for (const k of byRemainder) {
    if (missing <= 0) break;
    keep[k]++;
    missing--;
  }
  const out: number[] = [];
  classes.forEach((c, k) => out.push(...rng.shuffle(byClass.get(c)!).slice(0, keep[k])));
  return rng.shuffle(Int32Array.from(out));
}
