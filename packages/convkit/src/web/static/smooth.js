// Pure helpers shared by the pages and by node tests. Hand-written: TensorBoard's smoothing is a 10-line formula.

/**
 * TensorBoard's smoothing: an exponential moving average debiased for its zero start, so the first points are not
 * pulled towards 0. weight 0 = raw values; non-finite values pass through and do not enter the average.
 */
export function smoothEma(values, weight) {
  const out = new Array(values.length);
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

/** Compiles a filter: /regex/flags or plain words (all must appear, case-insensitive). Returns null for a bad regex. */
export function compileFilter(text) {
  const t = text.trim();
  if (!t) return () => true;
  const m = /^\/(.*)\/([a-z]*)$/.exec(t);
  if (m) {
    try {
      const re = new RegExp(m[1], m[2].replace(/[gy]/g, ''));
      return (s) => re.test(s);
    } catch {
      return null;
    }
  }
  const words = t.toLowerCase().split(/\s+/);
  return (s) => {
    const l = s.toLowerCase();
    return words.every((w) => l.includes(w));
  };
}
