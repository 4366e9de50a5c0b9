import type { CompareRun } from '../analysis-types.js';
import { summariseHistory } from '../history.js';
import { renderOverlay } from './curves.js';
import { className, colour, h, prepare, type Child } from './dom.js';
import { duration, num, pct } from './format.js';
import { renderScaling, type ScalingChart } from './scaling.js';

export type { CompareRun };

/** What the dashboard adds to the comparison: links to its run pages, its own columns, smoothed curves. */
export interface CompareOptions {
  /** Where a run's name links to. */
  href?: (r: CompareRun, i: number) => string;
  /** Columns after "data" (the dashboard's status and the hyperparameters that differ). */
  columns?: { label: Child; title?: string; cell: (r: CompareRun, i: number) => Child }[];
  /** TensorBoard's EMA weight for the overlaid curves (0 = raw). */
  smoothing?: number;
  /** Accuracy against training-set size (report/scaling.ts), drawn after the table when there is a chart. */
  scaling?: ScalingChart[];
}

interface Column {
  label: string;
  value: (r: CompareRun) => number | undefined;
  text: (v: number | undefined, r: CompareRun) => string;
  better?: 'max' | 'min';
}

const COLUMNS: Column[] = [
  { label: 'test accuracy', value: (r) => r.test?.accuracy ?? r.result?.test_accuracy, text: (v) => pct(v), better: 'max' },
  { label: 'test loss', value: (r) => r.test?.loss ?? r.result?.test_loss, text: (v) => (v === undefined ? '–' : v.toFixed(4)), better: 'min' },
  { label: 'best val accuracy', value: (r) => r.history.best.val_accuracy?.value, text: (v, r) => (v === undefined ? '–' : `${pct(v)} @${r.history.best.val_accuracy!.epoch}`), better: 'max' },
  { label: 'best val loss', value: (r) => r.history.best.val_loss?.value, text: (v, r) => (v === undefined ? '–' : `${v.toFixed(4)} @${r.history.best.val_loss!.epoch}`), better: 'min' },
  { label: 'epochs', value: (r) => r.history.epochs.length, text: (v) => (v === undefined ? '–' : String(v)) },
  { label: 'training time', value: (r) => r.result?.duration_s, text: (v) => duration(v), better: 'min' },
  { label: 'img/s', value: (r) => r.result?.images_per_s, text: (v) => num(v), better: 'max' },
];

/**
 * Several runs side by side: a table with the best value of each column highlighted, overlaid validation (or
 * training) accuracy and loss curves, and per-class accuracy side by side when the runs share their classes.
 */
export function renderCompare(el: HTMLElement, runs: CompareRun[], opts: CompareOptions = {}): void {
  prepare(el, 'ck-compare');
  runs = runs.map((r) => ({ ...r, history: r.history.best ? r.history : summariseHistory(r.history.epochs) }));
  const base = (p: string) => p.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || p;
  const label = (r: CompareRun, i: number) => `${i + 1}. ${base(r.run)}`;

  const extra = opts.columns ?? [];
  const tbody = h('tbody');
  const table = h('table', { class: 'ck-table ck-compare-table' },
    h('thead', {}, h('tr', {}, h('th', { class: 'ck-left' }, 'run'), h('th', { class: 'ck-left' }, 'model'), h('th', { class: 'ck-left' }, 'data'), ...extra.map((c) => h('th', { class: 'ck-left', title: c.title }, c.label)), h('th', {}, 'weights'), ...COLUMNS.map((c) => h('th', {}, c.label)))),
    tbody,
  );
  const swatch = (i: number) => h('span', { class: 'ck-swatch', style: `background:${colour(i)}` });
  const bestOf = COLUMNS.map((c) => {
    const vals = runs.map(c.value).filter((v): v is number => v !== undefined);
    if (!c.better || vals.length < 2) return undefined;
    return c.better === 'max' ? Math.max(...vals) : Math.min(...vals);
  });
  runs.forEach((r, i) => {
    tbody.append(
      h('tr', { 'data-run': r.run },
        h('td', { class: 'ck-left', title: r.run }, swatch(i), opts.href ? h('a', { href: opts.href(r, i) }, label(r, i)) : label(r, i)),
        h('td', { class: 'ck-left' }, r.model),
        h('td', { class: 'ck-left', title: r.data }, base(r.data)),
        ...extra.map((c) => h('td', { class: 'ck-left' }, c.cell(r, i))),
        h('td', {}, r.checkpoint ? `${r.checkpoint.name} (epoch ${r.checkpoint.epoch})` : '–'),
        ...COLUMNS.map((c, k) => {
          const v = c.value(r);
          return h('td', { class: v !== undefined && v === bestOf[k] ? 'ck-best' : undefined }, c.text(v, r));
        }),
      ),
    );
  });
  el.append(h('h3', {}, 'Runs'), h('div', { style: 'overflow-x:auto' }, table));

  if (opts.scaling?.length) {
    const box = h('div', { id: 'scaling' });
    el.append(h('h3', {}, 'Accuracy against training-set size'), box);
    renderScaling(box, opts.scaling);
  }

  const charts = h('div', { class: 'ck-charts' });
  el.append(h('h3', {}, 'Curves'), charts);
  const series = runs.map((r, i) => ({ label: label(r, i), rows: r.history.epochs }));
  const hasVal = runs.some((r) => r.history.epochs.some((e) => typeof e.val_accuracy === 'number'));
  const smoothing = opts.smoothing;
  renderOverlay(charts, hasVal ? 'val_accuracy' : 'accuracy', series, { title: hasVal ? 'Validation accuracy' : 'Training accuracy', smoothing });
  renderOverlay(charts, hasVal ? 'val_loss' : 'loss', series, { title: hasVal ? 'Validation loss' : 'Training loss', smoothing });

  const withClasses = runs.filter((r) => r.perClass?.length);
  if (withClasses.length >= 1) {
    const k = Math.max(...withClasses.map((r) => r.perClass!.length));
    const names = withClasses[0].classes;
    const pc = h('table', { class: 'ck-table ck-compare-classes' });
    pc.append(h('tr', {}, h('th', {}, 'class'), h('th', { class: 'ck-left' }, 'name'), h('th', {}, 'test images'), ...runs.map((r, i) => h('th', { title: r.run }, swatch(i), label(r, i)))));
    for (let c = 0; c < k; c++) {
      const accs = runs.map((r) => r.perClass?.[c]?.accuracy);
      const known = accs.filter((v): v is number => v !== undefined);
      const top = Math.max(...known);
      const tie = known.filter((v) => v === top).length > 1; // no winner to show when runs tie
      pc.append(
        h('tr', { 'data-class': c },
          h('td', {}, c),
          h('td', { class: 'ck-left' }, names?.[c]?.image ? h('img', { class: 'ck-thumb', src: names[c].image, alt: '' }) : null, className(names, c)),
          h('td', {}, withClasses[0].perClass![c]?.count ?? '–'),
          ...accs.map((v, i) =>
            h('td', { class: v !== undefined && !tie && v === top ? 'ck-best' : undefined }, pct(v, 1), v !== undefined ? h('span', { class: 'ck-bar', style: `width:${Math.round(v * 50)}px;background:${colour(i)}` }) : null),
          ),
        ),
      );
    }
    el.append(h('h3', {}, 'Per-class accuracy'), h('div', { class: 'ck-per-class-wrap' }, pc));
  }
}
