// Gradient descent on a two-parameter problem: fit y ≈ w·x + b by mean squared error. Small enough to draw the whole
// loss surface and every step. Hand-written: a teaching aid whose every step is shown (tfjs's optimizers hide them).

/** Seeded uniform [0, 1) (mulberry32), so every visitor sees the same problem and the same SGD shuffles. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Problem {
  x: Float64Array;
  y: Float64Array;
  n: number;
  trueW: number;
  trueB: number;
}

/** One step of a descent: the parameters, the loss over all the data, and the (fractional) epoch. */
export interface Step {
  w: number;
  b: number;
  loss: number;
  epoch: number;
}

/** n points x ∈ [−1, 1], y = trueW·x + trueB + noise. */
export function makeProblem({ n = 200, trueW = 1.5, trueB = -0.5, noise = 0.3, seed = 7 } = {}): Problem {
  const r = rng(seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = r() * 2 - 1;
    // Box–Muller normal noise
    const g = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    y[i] = trueW * x[i] + trueB + noise * g;
  }
  return { x, y, n, trueW, trueB };
}

/** L(w, b) = (1/n) Σ (w·xᵢ + b − yᵢ)² over the indices given (all by default). */
export function loss(p: Problem, w: number, b: number, idx: readonly number[] | null = null): number {
  let s = 0;
  const m = idx ? idx.length : p.n;
  for (let k = 0; k < m; k++) {
    const i = idx ? idx[k] : k;
    const e = w * p.x[i] + b - p.y[i];
    s += e * e;
  }
  return s / m;
}

/** ∂L/∂w = (2/m) Σ eᵢ·xᵢ,  ∂L/∂b = (2/m) Σ eᵢ  over a batch. */
export function gradient(p: Problem, w: number, b: number, idx: readonly number[]): [number, number] {
  let gw = 0;
  let gb = 0;
  for (const i of idx) {
    const e = w * p.x[i] + b - p.y[i];
    gw += e * p.x[i];
    gb += e;
  }
  return [(2 * gw) / idx.length, (2 * gb) / idx.length];
}

/** The exact minimum (ordinary least squares). */
export function leastSquares(p: Problem): { w: number; b: number } {
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < p.n; i++) {
    sx += p.x[i];
    sy += p.y[i];
    sxx += p.x[i] * p.x[i];
    sxy += p.x[i] * p.y[i];
  }
  const w = (p.n * sxy - sx * sy) / (p.n * sxx - sx * sx);
  return { w, b: (sy - w * sx) / p.n };
}

/**
 * Runs `epochs` passes of gradient descent with batches of `batchSize` (p.n = full batch, 1 = SGD), data shuffled
 * each epoch with `seed`. Returns every step: {w, b, loss (full-data), epoch}. Stops early if it diverges.
 */
export function descend(p: Problem, { batchSize, lr, epochs, start = [-2, 2.5], seed = 1 }: { batchSize: number; lr: number; epochs: number; start?: [number, number]; seed?: number }): Step[] {
  const r = rng(seed);
  let [w, b] = start;
  const path: Step[] = [{ w, b, loss: loss(p, w, b), epoch: 0 }];
  const order = Array.from({ length: p.n }, (_, i) => i);
  for (let e = 1; e <= epochs; e++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let s = 0; s < p.n; s += batchSize) {
      const [gw, gb] = gradient(p, w, b, order.slice(s, s + batchSize));
      w -= lr * gw;
      b -= lr * gb;
      const l = loss(p, w, b);
      path.push({ w, b, loss: l, epoch: e - 1 + Math.min(1, (s + batchSize) / p.n) });
      if (!Number.isFinite(l) || l > 1e6) return path;
    }
  }
  return path;
}
