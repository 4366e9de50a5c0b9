/**
 * Test accuracy against the number of training images: one chart per dataset, one line per model ("family"), the
 * repeats (seeds) of each point as its spread. Pure data, no DOM and no Node: `convkit report BATCH` (text, Markdown,
 * HTML) and the dashboard's compare view (in the browser) both compute their charts with it.
 */

/** One finished run, as the scaling chart sees it. */
export interface ScalingRun {
  dataset: string;
  /** The line the run belongs to: its model (and any grid setting other than the size and the seed). */
  family: string;
  /** The `limit-train` setting the run was given (`"25%"`, 2000); absent when it had none (the whole set). */
  limit?: string | number;
  /** Images the run trained on. */
  trainCount: number;
  accuracy: number;
}

/** One point of a line: the runs of one family at one training-set size. */
export interface ScalingPoint {
  /** Mean number of training images of the dataset's runs at this size, every family's (they differ only when
   *  validation held out a share that varies with the seed). */
  trainCount: number;
  /** The `limit-train` setting, when the runs had one. */
  limit?: string | number;
  mean: number;
  min: number;
  max: number;
  /** Each run's test accuracy, in the order given. */
  accuracies: number[];
}

export interface ScalingLine {
  family: string;
  /** The family's place among every family of the runs, sorted by name: its colour, the same in every chart and view. */
  colour: number;
  /** Ascending training-set size. */
  points: ScalingPoint[];
}

export interface ScalingChart {
  dataset: string;
  /** Every size some line has a point at, ascending (the chart's x values). */
  sizes: number[];
  lines: ScalingLine[];
}

/** The `limit-train` setting as a size key: `"100%"` and no limit are the same size (the whole set). */
function sizeKey(r: ScalingRun): string {
  if (r.limit === undefined || r.limit === '100%') return 'all';
  return typeof r.limit === 'number' ? `n${r.limit}` : r.limit;
}

const meanOf = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/**
 * Runs → one chart per dataset that has at least two training-set sizes (datasets in the order they first appear,
 * families sorted by name, so that a family keeps its place and colour in every chart, in the report and the dashboard
 * alike, whatever order the runs come in). Runs of one dataset are grouped by their `limit-train` setting (no limit = 100%): a group of one
 * family is one point, with the mean, min and max test accuracy of its runs, at the mean training-image count of
 * the whole group (every family at the same x even when validation held out a share that varies with the seed).
 */
export function scalingCharts(runs: readonly ScalingRun[]): ScalingChart[] {
  const datasets = new Map<string, Map<string, Map<string, ScalingRun[]>>>();
  for (const r of runs) {
    if (!Number.isFinite(r.trainCount) || r.trainCount <= 0 || !Number.isFinite(r.accuracy)) continue;
    const families = datasets.get(r.dataset) ?? new Map<string, Map<string, ScalingRun[]>>();
    datasets.set(r.dataset, families);
    const sizes = families.get(r.family) ?? new Map<string, ScalingRun[]>();
    families.set(r.family, sizes);
    const key = sizeKey(r);
    sizes.set(key, [...(sizes.get(key) ?? []), r]);
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const allFamilies = [...new Set([...datasets.values()].flatMap((f) => [...f.keys()]))].sort(byName);
  const charts: ScalingChart[] = [];
  for (const [dataset, families] of datasets) {
    const counts = new Map<string, number[]>();
    for (const sizes of families.values()) for (const [key, rs] of sizes) counts.set(key, [...(counts.get(key) ?? []), ...rs.map((r) => r.trainCount)]);
    const lines: ScalingLine[] = [...families].sort(([a], [b]) => byName(a, b)).map(([family, sizes]) => ({
      family,
      colour: allFamilies.indexOf(family),
      points: [...sizes]
        .map(([key, rs]) => {
          const accuracies = rs.map((r) => r.accuracy);
          const limit = rs.find((r) => r.limit !== undefined)?.limit;
          return {
            trainCount: Math.round(meanOf(counts.get(key)!)),
            ...(limit !== undefined ? { limit } : {}),
            mean: meanOf(accuracies),
            min: Math.min(...accuracies),
            max: Math.max(...accuracies),
            accuracies,
          };
        })
        .sort((a, b) => a.trainCount - b.trainCount),
    }));
    const sizes = [...new Set(lines.flatMap((l) => l.points.map((p) => p.trainCount)))].sort((a, b) => a - b);
    if (sizes.length >= 2) charts.push({ dataset, sizes, lines });
  }
  return charts;
}

const pct = (v: number) => `${(v * 100).toFixed(2)} %`;

/** A point as a table cell: mean, and the min–max of its runs when there are several. */
export function scalingCell(p: ScalingPoint | undefined): string {
  if (!p) return '—';
  return p.accuracies.length > 1 ? `${pct(p.mean)} (${(p.min * 100).toFixed(2)}–${(p.max * 100).toFixed(2)}, n=${p.accuracies.length})` : pct(p.mean);
}

/** The numbers of a chart as rows: one per size (training images, the limit-train setting), one cell per family. */
export function scalingRows(c: ScalingChart): { header: string[]; rows: string[][] } {
  const header = ['training images', 'limit-train', ...c.lines.map((l) => l.family)];
  const rows = c.sizes.map((n) => {
    const points = c.lines.map((l) => l.points.find((p) => p.trainCount === n));
    const limit = points.find((p) => p?.limit !== undefined)?.limit;
    return [n.toLocaleString('en-US'), limit === undefined ? '—' : String(limit), ...points.map(scalingCell)];
  });
  return { header, rows };
}
