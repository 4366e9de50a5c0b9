// Hand-written: tfjs ships no learning-rate schedules; this is PyTorch's OneCycleLR formula (checked against it).
/**
 * One-cycle policy as PyTorch's OneCycleLR (anneal_strategy 'cos', three_phase false): from lr/divFactor up to lr
 * over the first `pctStart` of the steps, then down to lr/divFactor/finalDivFactor at the last step.
 * Phase ends are the steps pctStart·total − 1 and total − 1, as in PyTorch.
 */
export function oneCycle(t: number, o: { lr: number; total: number; pctStart?: number; divFactor?: number; finalDivFactor?: number }): number {
  const initial = o.lr / (o.divFactor ?? 25);
  const min = initial / (o.finalDivFactor ?? 1e4);
  const end1 = (o.pctStart ?? 0.3) * o.total - 1;
  const end2 = o.total - 1;
  const cos = (start: number, end: number, pct: number) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  if (t <= end1) return cos(initial, o.lr, end1 > 0 ? t / end1 : 1);
  return cos(o.lr, min, end2 > end1 ? Math.min(1, (t - end1) / (end2 - end1)) : 1);
}
