import type { RunAnalysis } from '../analysis-types.js';
import { classLabel, className, classThumb, h, prepare } from './dom.js';
import { pct } from './format.js';

export interface ConfusionOptions {
  /** Start with row-normalised shares instead of raw counts (the toggle switches either way). */
  normalised?: boolean;
}

/** White → blue for the diagonal, white → red for errors; `t` in [0, 1]. */
function shade(t: number, diagonal: boolean): string {
  if (t <= 0) return '#ffffff';
  const [r, g, b] = diagonal ? [33, 102, 172] : [198, 40, 40];
  const k = Math.min(1, 0.12 + 0.88 * t);
  const mix = (c: number) => Math.round(255 + (c - 255) * k);
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}

// Hand-written: uPlot draws no heatmap, and a DOM table gives labelled, hoverable, testable cells with class pictograms.
/**
 * The confusion matrix as a heatmap table: rows = true class, columns = predicted class; raw counts or shares of
 * each row (toggle), class pictograms beside the ids when the analysis has them. Every cell carries
 * data-true, data-pred and data-count; the last column is the row's total.
 */
export function renderConfusion(el: HTMLElement, a: Pick<RunAnalysis, 'confusion' | 'classes'>, opts: ConfusionOptions = {}): void {
  prepare(el, 'ck-confusion-view');
  const k = a.confusion.length;
  const small = k <= 15;
  const rowTotals = a.confusion.map((r) => r.reduce((s, v) => s + v, 0));
  let maxOff = 0;
  let maxDiag = 0;
  a.confusion.forEach((r, i) => r.forEach((v, j) => (i === j ? (maxDiag = Math.max(maxDiag, v)) : (maxOff = Math.max(maxOff, v)))));
  let normalised = !!opts.normalised;

  const rawBtn = h('button', { type: 'button', 'data-mode': 'raw' }, 'raw counts');
  const normBtn = h('button', { type: 'button', 'data-mode': 'normalised' }, 'normalised (share of true class)');
  const toggle = h('div', { class: 'ck-toggle' }, rawBtn, normBtn);
  const note = h('span', { class: 'ck-muted', style: 'margin-left:10px' }, 'rows: true class · columns: predicted class · hover a cell for details');
  const table = h('table', { class: `ck-confusion${small ? ' ck-small' : ''}` });
  el.append(h('div', {}, toggle, note), h('div', { class: 'ck-confusion-wrap' }, table));

  const head = h('tr', {}, h('th', { class: 'ck-axis' }, 'true \\ pred'));
  for (let j = 0; j < k; j++) head.append(h('th', { class: 'ck-col', title: `${j}: ${className(a.classes, j)}` }, classThumb(a, j), h('br'), small ? className(a.classes, j) : String(j)));
  head.append(h('th', { class: 'ck-axis' }, 'n'));
  table.append(head);

  const cells: HTMLTableCellElement[][] = [];
  for (let i = 0; i < k; i++) {
    const tr = h('tr', {}, h('th', { class: 'ck-row', title: className(a.classes, i) }, small ? className(a.classes, i) : String(i), classThumb(a, i)));
    cells.push([]);
    for (let j = 0; j < k; j++) {
      const v = a.confusion[i][j];
      const td = h('td', { class: 'ck-cell', 'data-true': i, 'data-pred': j, 'data-count': v });
      td.title = `true ${classLabel(a.classes, i)} → predicted ${classLabel(a.classes, j)}: ${v} of ${rowTotals[i]} (${pct(rowTotals[i] ? v / rowTotals[i] : 0, 1)})`;
      tr.append(td);
      cells[i].push(td);
    }
    tr.append(h('td', { class: 'ck-total', 'data-row-total': rowTotals[i] }, rowTotals[i]));
    table.append(tr);
  }

  const paint = () => {
    rawBtn.classList.toggle('ck-on', !normalised);
    normBtn.classList.toggle('ck-on', normalised);
    table.dataset.mode = normalised ? 'normalised' : 'raw';
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const v = a.confusion[i][j];
        const share = rowTotals[i] ? v / rowTotals[i] : 0;
        // Raw: square root so that the few errors stay visible beside the large diagonal counts.
        const t = normalised ? share : Math.sqrt(v / Math.max(1, i === j ? maxDiag : maxOff));
        const td = cells[i][j];
        td.style.background = shade(t, i === j);
        td.style.color = t > 0.6 ? '#fff' : '#1d2330';
        td.textContent = small && v ? (normalised ? share.toFixed(2) : String(v)) : '';
      }
    }
  };
  rawBtn.onclick = () => ((normalised = false), paint());
  normBtn.onclick = () => ((normalised = true), paint());
  paint();
}

/** The most frequent (true → predicted) mistakes. */
export function renderTopConfusions(el: HTMLElement, a: Pick<RunAnalysis, 'topConfusions' | 'classes'>, opts: { limit?: number } = {}): void {
  prepare(el, 'ck-top-confusions');
  const rows = a.topConfusions.slice(0, opts.limit ?? 12);
  if (!rows.length) {
    el.append(h('p', { class: 'ck-muted' }, 'No confusions: every image was classified right.'));
    return;
  }
  const t = h('table', { class: 'ck-table' }, h('tr', {}, h('th', { class: 'ck-left' }, 'true class'), h('th', { class: 'ck-left' }, 'predicted as'), h('th', {}, 'images'), h('th', {}, 'share of true class')));
  for (const p of rows) {
    t.append(
      h('tr', {},
        h('td', { class: 'ck-left' }, classThumb(a, p.true), classLabel(a.classes, p.true)),
        h('td', { class: 'ck-left' }, classThumb(a, p.predicted), classLabel(a.classes, p.predicted)),
        h('td', {}, p.count),
        h('td', {}, pct(p.share, 1)),
      ),
    );
  }
  el.append(t);
}
