import uPlot from 'uplot';
import { scalingCell, scalingRows, type ScalingChart } from '../scaling.js';
import type { ChartElement } from './curves.js';
import { colour, h } from './dom.js';
import { num, pct } from './format.js';

export type { ScalingChart };

/** Each family's min–max over its repeats as an error bar (with caps) at each point, in the family's colour. */
function errorBars(chart: ScalingChart) {
  return (u: uPlot) => {
    const ctx = u.ctx;
    const cap = 4 * devicePixelRatio;
    ctx.save();
    ctx.lineWidth = 1.5 * devicePixelRatio;
    chart.lines.forEach((line, i) => {
      if (!u.series[i + 1].show) return;
      ctx.strokeStyle = colour(line.colour);
      for (const p of line.points) {
        if (p.accuracies.length < 2) continue;
        const x = Math.round(u.valToPos(p.trainCount, 'x', true));
        const lo = u.valToPos(p.min, 'y', true);
        const hi = u.valToPos(p.max, 'y', true);
        ctx.beginPath();
        ctx.moveTo(x, lo);
        ctx.lineTo(x, hi);
        ctx.moveTo(x - cap, lo);
        ctx.lineTo(x + cap, lo);
        ctx.moveTo(x - cap, hi);
        ctx.lineTo(x + cap, hi);
        ctx.stroke();
      }
    });
    ctx.restore();
  };
}

/** 80 → "80", 12000 → "12k". */
const countText = (v: number) => (v >= 10_000 ? `${+(v / 1000).toFixed(1)}k` : num(v));

/**
 * Test accuracy against the number of training images (log x): one chart per dataset, one line per family at the
 * mean of its repeats, their min–max as error bars; under each chart the same numbers as a table. Each chart box is
 * .ck-chart.ck-scaling[data-dataset] with `.uplot`; its table is table.ck-scaling-table.
 */
export function renderScaling(el: HTMLElement, charts: ScalingChart[], opts: { width?: number; height?: number } = {}): void {
  const wrap = h('div', { class: 'ck-charts' });
  el.append(wrap);
  for (const c of charts) {
    const box: ChartElement = h('div', { class: 'ck-chart ck-scaling', 'data-dataset': c.dataset, 'data-points': c.sizes.length, 'data-lines': c.lines.length });
    box.append(h('div', { class: 'ck-chart-title' }, `${c.dataset}: test accuracy against training images`));
    const plotEl = h('div');
    box.append(plotEl);
    wrap.append(box);
    const data: uPlot.AlignedData = [c.sizes, ...c.lines.map((l) => c.sizes.map((n) => l.points.find((p) => p.trainCount === n)?.mean ?? null))];
    const lo = Math.min(...c.lines.flatMap((l) => l.points.map((p) => p.min)));
    const hi = Math.max(...c.lines.flatMap((l) => l.points.map((p) => p.max)));
    const pad = Math.max(0.01, (hi - lo) * 0.08);
    box.uplot = new uPlot(
      {
        width: opts.width ?? 560,
        height: opts.height ?? 300,
        scales: {
          x: { time: false, distr: 3, log: 10, range: (_u, min, max) => [min / 1.6, max * 1.6] },
          y: { range: () => [Math.max(0, lo - pad), Math.min(1, hi + pad)] },
        },
        axes: [
          // ticks at the sizes trained on, not at powers of ten the chart may not even span
          { label: 'training images (log scale)', splits: () => c.sizes, filter: (_u, splits) => splits, values: (_u, vals) => vals.map((v) => (v == null ? '' : countText(v))) },
          { size: 60, label: 'test accuracy', values: (_u, vals) => vals.map((v) => (v == null ? '' : `${+(v * 100).toFixed(1)}%`)) },
        ],
        series: [
          { label: 'training images', value: (_u, v) => (v == null ? '–' : num(v)) },
          ...c.lines.map((l, i) => ({
            label: l.family,
            stroke: colour(l.colour),
            width: 2,
            spanGaps: true,
            points: { show: true, size: 7, fill: colour(l.colour) },
            value: (u: uPlot, v: number | null, _s: number, idx: number | null) => {
              if (v === null || idx === null) return '–';
              const p = l.points.find((q) => q.trainCount === u.data[0][idx]);
              return p && p.accuracies.length > 1 ? scalingCell(p) : pct(v);
            },
          })),
        ],
        hooks: { draw: [errorBars(c)], ready: [(u) => u.setLegend({ idx: c.sizes.length - 1 })] },
      },
      data,
      plotEl,
    );
    const { header, rows } = scalingRows(c);
    box.append(
      h('table', { class: 'ck-table ck-scaling-table' },
        h('thead', {}, h('tr', {}, ...header.map((t, i) => h('th', { class: i === 1 ? 'ck-left' : undefined }, i > 1 ? h('span', { class: 'ck-swatch', style: `background:${colour(c.lines[i - 2].colour)}` }) : null, t)))),
        h('tbody', {}, ...rows.map((r, k) => h('tr', { 'data-train-count': c.sizes[k] }, ...r.map((t, i) => h('td', { class: i === 1 ? 'ck-left' : undefined }, t))))),
      ),
      h('div', { class: 'ck-muted' }, 'Each point: the mean test accuracy of its runs (seeds); bars and brackets: their min–max.'),
    );
  }
}
