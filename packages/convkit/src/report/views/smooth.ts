// Hand-written: TensorBoard's smoothing is a 10-line formula.

/**
 * TensorBoard's smoothing: an exponential moving average debiased for its zero start, so the first points are not
 * pulled towards 0. weight 0 = raw values; non-finite values pass through and do not enter the average.
 */
export function smoothEma(values: readonly (number | null | undefined)[], weight: number): (number | null)[] {
  const out: (number | null)[] = new Array(values.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) {
      out[i] = v ?? null;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    n++;
    const debias = weight === 1 ? 1 : 1 - Math.pow(weight, n);
    out[i] = last / debias;
  }
  return out;
}
