/** Number formatting shared by the report's views and the dashboard's pages. */

/** 0.9731 → "97.31 %"; "–" when unknown. */
export const pct = (v: number | null | undefined, digits = 2): string => (v === undefined || v === null || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(digits)} %`);

// one formatter per digit count: toLocaleString builds a new one per call, which costs seconds over a thousand rows
const NUMBER_FORMATS = new Map<number, Intl.NumberFormat>();

/** 12345.6 → "12,346" (digits after the point: `d`); "–" when unknown. */
export function num(v: number | null | undefined, d = 0): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return '–';
  let f = NUMBER_FORMATS.get(d);
  if (!f) NUMBER_FORMATS.set(d, (f = new Intl.NumberFormat('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })));
  return f.format(v);
}

/** Seconds → "42.0 s", "3 min 5 s", "2 h 10 min"; "–" when unknown. */
export function duration(s: number | null | undefined): string {
  if (s === undefined || s === null || !Number.isFinite(s)) return '–';
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}
