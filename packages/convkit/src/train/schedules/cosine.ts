// Hand-written: tfjs ships no learning-rate schedules; this is Keras's CosineDecay formula.
/**
 * Cosine decay with linear warmup (Keras's CosineDecay with warmup_steps, warming up from 0): step t (0-based) of
 * `total` gets lr·(t+1)/warmup during the first `warmup` steps, then
 * floor + (lr − floor)·(1 + cos(π·(t − warmup)/(total − warmup)))/2, reaching `floor` at the last step's end.
 */
export function cosineWithWarmup(t: number, o: { lr: number; total: number; warmup: number; floor: number }): number {
  if (t < o.warmup) return (o.lr * (t + 1)) / o.warmup;
  const span = Math.max(1, o.total - o.warmup);
  const p = Math.min(1, (t - o.warmup) / span);
  return o.floor + ((o.lr - o.floor) * (1 + Math.cos(Math.PI * p))) / 2;
}
