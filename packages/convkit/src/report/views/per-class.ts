import type { PerClassRow, RunAnalysis } from '../analysis-types.js';
import { classThumb, h, prepare } from './dom.js';
import { pct } from './format.js';

type Key = keyof PerClassRow;
const COLUMNS: { key: Key; label: string; kind: 'int' | 'pct' | 'text' }[] = [
  { key: 'class', label: 'class', kind: 'int' },
  { key: 'name', label: 'name', kind: 'text' },
  { key: 'count', label: 'test images', kind: 'int' },
  { key: 'correct', label: 'correct', kind: 'int' },
  { key: 'precision', label: 'precision', kind: 'pct' },
  { key: 'recall', label: 'recall = accuracy', kind: 'pct' },
  { key: 'f1', label: 'F1', kind: 'pct' },
];

/** Per-class precision, recall (= the class's accuracy) and F1 as a table sortable by any column (click a header). */
export function renderPerClass(el: HTMLElement, a: Pick<RunAnalysis, 'perClass' | 'classes'>, opts: { sortBy?: Key; descending?: boolean } = {}): void {
  prepare(el, 'ck-per-class');
  let sortBy: Key = opts.sortBy ?? 'class';
  let desc = opts.descending ?? false;
  const table = h('table', { class: 'ck-table' });
  el.append(h('div', { class: 'ck-per-class-wrap' }, table));
  const draw = () => {
    const rows = [...a.perClass].sort((x, y) => {
      const u = x[sortBy];
      const v = y[sortBy];
      const c = typeof u === 'string' ? u.localeCompare(String(v)) : (u as number) - (v as number);
      return (desc ? -c : c) || x.class - y.class;
    });
    const head = h('tr');
    for (const c of COLUMNS) {
      const th = h('th', { class: `ck-sortable${c.kind === 'text' ? ' ck-left' : ''}${c.key === sortBy ? (desc ? ' ck-sorted-desc' : ' ck-sorted-asc') : ''}`, 'data-key': c.key }, c.label);
      th.onclick = () => {
        desc = c.key === sortBy ? !desc : c.kind === 'pct';
        sortBy = c.key;
        draw();
      };
      head.append(th);
    }
    const body = rows.map((r) =>
      h('tr', { 'data-class': r.class },
        ...COLUMNS.map((c) => {
          const v = r[c.key];
          if (c.key === 'name') return h('td', { class: 'ck-left' }, classThumb(a, r.class), String(v));
          if (c.kind === 'pct') return h('td', {}, pct(v as number, 1), c.key === 'recall' ? h('span', { class: 'ck-bar', style: `width:${Math.round((v as number) * 60)}px` }) : null);
          return h('td', {}, String(v));
        }),
      ),
    );
    table.replaceChildren(head, ...body);
  };
  draw();
}
