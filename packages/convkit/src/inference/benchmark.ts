import type { Predictor } from './predictor.js';

// `convkit predict RUN --benchmark`: the predictor timed on random input of the model's shape. Warm-up, then
// `rounds` rounds of `seconds` each; the figures are the medians over rounds, so one slow round (another process on
// the machine) does not decide them.

export interface PredictorBenchmark {
  engine: Predictor['engine'];
  batch_size: number;
  input_shape: number[];
  rounds: number;
  seconds_per_round: number;
  /** Images per second, median over rounds. */
  images_per_s: number;
  /** Wall time of one predict call of `batch_size` images, median over rounds (ms). */
  latency_ms: number;
  /** Each round's images per second. */
  round_images_per_s: number[];
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Uniform [0, 1) input from a fixed seed (xorshift32), the same for every run. */
function randomInput(count: number): Float32Array {
  const x = new Float32Array(count);
  let s = 0x2545f491;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    x[i] = (s >>> 0) / 2 ** 32;
  }
  return x;
}

export function benchmarkPredictor(p: Predictor, opts: { batchSize: number; rounds?: number; seconds?: number; warmupSeconds?: number }): PredictorBenchmark {
  const n = opts.batchSize;
  const rounds = opts.rounds ?? 3;
  const seconds = opts.seconds ?? 3;
  const x = randomInput(n * p.inputShape.reduce((a, b) => a * b, 1));
  const warmEnd = performance.now() + (opts.warmupSeconds ?? Math.min(1, seconds)) * 1000;
  do p.predict(x, n);
  while (performance.now() < warmEnd);
  const perRound: number[] = [];
  const latency: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < seconds * 1000 || calls < 3) {
      p.predict(x, n);
      calls++;
      t = performance.now();
    }
    perRound.push((calls * n) / ((t - t0) / 1000));
    latency.push((t - t0) / calls);
  }
  return { engine: p.engine, batch_size: n, input_shape: p.inputShape, rounds, seconds_per_round: seconds, images_per_s: median(perRound), latency_ms: median(latency), round_images_per_s: perRound };
}
