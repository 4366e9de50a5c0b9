import uPlot from 'uplot';
import type { HistoryRow, RunHistory } from '../analysis-types.js';
import { summariseHistory } from '../history.js';
import { colour, h, prepare } from './dom.js';
import { smoothEma } from './smooth.js';

export type CurveGroup = 'loss' | 'accuracy' | 'lr';

export interface CurvesOptions {
  /** Charts to draw, in order (default loss, accuracy, and lr when logged). */
  groups?: CurveGroup[];
  width?: number;
  height?: number;
}

/** uPlot instances by chart element, for tests and the dashboard (`chart.data[0].length` = epochs drawn). */
export interface ChartElement extends HTMLElement {
  uplot?: uPlot;
}

const GROUPS: Record<CurveGroup, { title: string; series: string[]; best: string[] }> = {
  loss: { title: 'Loss', series: ['loss', 'val_loss'], best: ['val_loss', 'loss'] },
  accuracy: { title: 'Accuracy', series: ['accuracy', 'val_accuracy'], best: ['val_accuracy', 'accuracy'] },
  lr: { title: 'Learning rate', series: ['lr'], best: [] },
};

/** A dashed vertical line at `epoch`, drawn over the series. */
function markEpoch(epoch: number | undefined, colour = '#c62828') {
  return (u: uPlot) => {
    if (epoch === undefined) return;
    const x = Math.round(u.valToPos(epoch, 'x', true));
    const { top, height } = u.bbox;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = colour;
    ctx.setLineDash([5, 4]);
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.restore();
  };
}

/** The legend shows the last epoch's values until the pointer picks another. */
const showLast = (u: uPlot) => u.setLegend({ idx: u.data[0].length - 1 });

const fmt = (metric: string, v: number) => (/accuracy/.test(metric) ? (v * 100).toFixed(2) + ' %' : metric === 'lr' ? v.toExponential(2) : v.toFixed(4));

/**
 * Loss, accuracy (train and validation) and learning-rate curves, one uPlot chart each, the best epoch marked by a
 * dashed line (best validation value, else best training value). Accepts a RunHistory or the run's raw metric rows.
 */
export function renderCurves(el: HTMLElement, history: RunHistory | HistoryRow[], opts: CurvesOptions = {}): void {
  prepare(el, 'ck-curves');
  const hist = Array.isArray(history) ? summariseHistory(history) : history;
  const rows = hist.epochs;
  if (!rows.length) {
    el.append(h('p', { class: 'ck-muted' }, 'No epoch finished yet.'));
    return;
  }
  const has = (k: string) => rows.some((r) => typeof r[k] === 'number');
  const groups = opts.groups ?? (['loss', 'accuracy', 'lr'] as CurveGroup[]).filter((g) => GROUPS[g].series.some(has));
  const wrap = h('div', { class: 'ck-charts' });
  el.append(wrap);
  const perRow = Math.min(groups.length, 3);
  const width = opts.width ?? Math.max(300, Math.min(560, Math.floor(((el.clientWidth || 1200) - 16 * perRow) / perRow) - 20));
  for (const g of groups) {
    const spec = GROUPS[g];
    const keys = spec.series.filter(has);
    if (!keys.length) continue;
    const bestKey = spec.best.find((k) => hist.best[k]);
    const best = bestKey ? hist.best[bestKey] : undefined;
    const box: ChartElement = h('div', { class: 'ck-chart', 'data-group': g, 'data-points': rows.length });
    box.append(h('div', { class: 'ck-chart-title' }, spec.title));
    const plotEl = h('div');
    box.append(plotEl);
    if (best && bestKey) box.append(h('div', { class: 'ck-best-note', 'data-best-epoch': best.epoch }, `best ${bestKey} ${fmt(bestKey, best.value)} at epoch ${best.epoch} (dashed line)`));
    wrap.append(box);
    const data: uPlot.AlignedData = [rows.map((r) => r.epoch), ...keys.map((k) => rows.map((r) => (typeof r[k] === 'number' ? (r[k] as number) : null)))];
    const u = new uPlot(
      {
        width,
        height: opts.height ?? 240,
        scales: { x: { time: false }, ...(g === 'lr' && new Set(rows.map((r) => r.lr)).size > 1 ? { y: { distr: 3 } } : {}) },
        axes: [{ label: 'epoch', incrs: [1, 2, 5, 10, 20, 50, 100] }, { size: 60, values: (_u, vals) => vals.map((v) => (v == null ? '' : g === 'accuracy' ? (v * 100).toFixed(0) + '%' : g === 'lr' ? v.toExponential(1) : String(+v.toFixed(3)))) }],
        series: [
          { label: 'epoch' },
          ...keys.map((k, i) => ({
            label: k,
            stroke: colour(i),
            width: 2,
            dash: k.startsWith('val_') ? [6, 3] : undefined,
            points: { show: rows.length <= 40 },
            value: (_u: uPlot, v: number | null) => (v === null ? '–' : fmt(k, v)),
          })),
        ],
        hooks: { draw: [markEpoch(best?.epoch)], ready: [showLast] },
      },
      data,
      plotEl,
    );
    box.uplot = u;
  }
}

export interface OverlaySeries {
  label: string;
  colour?: string;
  rows: HistoryRow[];
}

/**
 * One metric of several runs on one chart (the comparison's overlaid curves); epochs aligned on 1..max; run i in
 * `colour(i)` unless its series says otherwise; `smoothing` = TensorBoard's EMA weight (0 = raw).
 */
export function renderOverlay(el: HTMLElement, metric: string, runs: OverlaySeries[], opts: { width?: number; height?: number; title?: string; smoothing?: number } = {}): ChartElement {
  const maxEpoch = Math.max(0, ...runs.flatMap((r) => r.rows.map((x) => x.epoch)));
  const xs = Array.from({ length: maxEpoch }, (_, i) => i + 1);
  const box: ChartElement = h('div', { class: 'ck-chart', 'data-metric': metric, 'data-points': maxEpoch });
  box.append(h('div', { class: 'ck-chart-title' }, opts.title ?? metric));
  const plotEl = h('div');
  box.append(plotEl);
  el.append(box);
  const data: uPlot.AlignedData = [xs, ...runs.map((r) => {
    const ys = xs.map((e) => {
      const row = r.rows.find((x) => x.epoch === e);
      return row && typeof row[metric] === 'number' ? (row[metric] as number) : null;
    });
    return opts.smoothing ? smoothEma(ys, opts.smoothing) : ys;
  })];
  box.uplot = new uPlot(
    {
      width: opts.width ?? 560,
      height: opts.height ?? 260,
      scales: { x: { time: false } },
      axes: [{ label: 'epoch', incrs: [1, 2, 5, 10, 20, 50, 100] }, { size: 60, values: (_u, vals) => vals.map((v) => (v == null ? '' : /accuracy/.test(metric) ? (v * 100).toFixed(0) + '%' : String(+v.toFixed(3)))) }],
      hooks: { ready: [showLast] },
      series: [{ label: 'epoch' }, ...runs.map((r, i) => ({ label: r.label, stroke: r.colour ?? colour(i), width: 2, points: { show: maxEpoch <= 40 }, value: (_u: uPlot, v: number | null) => (v === null ? '–' : fmt(metric, v)) }))],
    },
    data,
    plotEl,
  );
  return box;
}
