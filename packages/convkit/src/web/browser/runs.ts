// Runs list: every run under the runs folder, live over SSE, filter by text or /regex/, sort by any column.
import { h } from '../../report/views/dom.js';
import { duration, num, pct } from '../../report/views/format.js';
import type { RunSummary } from '../api-types.js';
import { api, app, onRunEvents, runHref, stateBadge, when } from './common.js';
import { compileFilter } from './filter.js';

interface Column {
  key: string;
  label: string;
  get: (r: RunSummary) => string | number | undefined;
  /** Numeric: right-aligned, sorted largest first. */
  n?: boolean;
}

const COLUMNS: Column[] = [
  { key: 'id', label: 'run', get: (r) => r.id },
  { key: 'state', label: 'status', get: (r) => r.state },
  { key: 'model', label: 'model', get: (r) => r.model ?? '' },
  { key: 'dataset', label: 'dataset', get: (r) => r.dataset ?? '' },
  { key: 'epoch', label: 'epoch', get: (r) => r.epoch, n: true },
  { key: 'bestValAccuracy', label: 'best val acc', get: (r) => r.bestValAccuracy, n: true },
  { key: 'bestEpoch', label: 'at epoch', get: (r) => r.bestEpoch, n: true },
  { key: 'testAccuracy', label: 'test acc', get: (r) => r.testAccuracy, n: true },
  { key: 'durationS', label: 'duration', get: (r) => r.durationS, n: true },
  { key: 'imagesPerS', label: 'img/s', get: (r) => r.imagesPerS, n: true },
  { key: 'updated', label: 'updated', get: (r) => r.updated ?? r.started ?? '' },
];

const runs = new Map<string, RunSummary>();
const selected = new Set<string>();
let sortKey = 'updated';
let sortDir = -1;
let filterText = new URLSearchParams(location.search).get('q') ?? '';
let root = '';
let limit = 200;
const more = h('p', { class: 'muted', id: 'more' });

function cell(r: RunSummary, c: Column): HTMLElement {
  const v = c.get(r);
  const n = typeof v === 'number' ? v : undefined;
  switch (c.key) {
    case 'id':
      return h('td', {}, h('a', { href: runHref(r.id) }, r.id));
    case 'state':
      return h('td', {}, stateBadge(r.state, r.note));
    case 'epoch':
      return h('td', { class: 'n' }, r.epochs ? `${r.epoch}/${r.epochs}` : String(r.epoch));
    case 'bestValAccuracy':
    case 'testAccuracy':
      return h('td', { class: 'n' }, pct(n));
    case 'durationS':
      return h('td', { class: 'n' }, duration(n));
    case 'imagesPerS':
      return h('td', { class: 'n' }, num(n));
    case 'updated':
      return h('td', { class: 'muted' }, when(typeof v === 'string' ? v : undefined));
    default:
      return h('td', { class: c.n ? 'n' : undefined }, v ?? '');
  }
}

function compare(a: RunSummary, b: RunSummary): number {
  const c = COLUMNS.find((x) => x.key === sortKey)!;
  const va = c.get(a);
  const vb = c.get(b);
  if (va === vb) return a.id < b.id ? -1 : 1;
  if (va === undefined || va === null || va === '') return 1; // blanks last either way
  if (vb === undefined || vb === null || vb === '') return -1;
  return (va < vb ? -1 : 1) * sortDir;
}

let scheduled = false;
function render() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    draw();
  });
}

const filterInput = h('input', { type: 'search', placeholder: 'filter: words or /regex/ (run, model, dataset, status)', value: filterText, id: 'filter' });
const count = h('span', { class: 'muted', id: 'count' });
const compareBtn = h('button', { id: 'compare-selected', onclick: () => (location.href = `/compare?id=${[...selected].map((id) => encodeURIComponent(id)).join(',')}`) }, 'Compare selected');
const tbody = h('tbody');
const thead = h('thead');
const groups = h('div', { class: 'muted', id: 'groups' });

// a row is rebuilt only when its summary changed (SSE brings a new object): redraws just reorder cached rows
const rowCache = new WeakMap<RunSummary, HTMLTableRowElement>();
function rowOf(r: RunSummary): HTMLTableRowElement {
  let tr = rowCache.get(r);
  if (!tr) {
    tr = h(
      'tr',
      { 'data-id': r.id, 'data-state': r.state },
      h('td', {}, h('input', { type: 'checkbox', checked: selected.has(r.id), onchange: (e) => ((e.target as HTMLInputElement).checked ? selected.add(r.id) : selected.delete(r.id), updateCompare()) })),
      ...COLUMNS.map((c) => cell(r, c)),
    );
    rowCache.set(r, tr);
  }
  return tr;
}

function draw() {
  const t0 = performance.now();
  const test = compileFilter(filterText);
  filterInput.classList.toggle('error', test === null);
  const rows = [...runs.values()].filter((r) => !test || test(`${r.id} ${r.model ?? ''} ${r.dataset ?? ''} ${r.state}`)).sort(compare);
  thead.replaceChildren(
    h('tr', {}, h('th', {}, ''), ...COLUMNS.map((c) => h('th', { class: [c.n ? 'n' : '', c.key === sortKey ? 'sorted' : ''].join(' ').trim() || undefined, 'data-key': c.key, 'data-dir': sortDir > 0 ? ' ▲' : ' ▼', onclick: () => sortBy(c.key) }, c.label))),
  );
  // a table of thousands of rows costs seconds of layout on every change: draw the first `limit`, the rest on demand
  const visible = rows.length > limit ? rows.slice(0, limit) : rows;
  tbody.replaceChildren(...visible.map(rowOf));
  tbody.dataset.matching = String(rows.length);
  tbody.dataset.total = String(runs.size);
  count.textContent = `${rows.length} of ${runs.size} runs in ${root}`;
  more.replaceChildren(...(rows.length > limit ? [`${rows.length - limit} more rows not drawn (sort or filter to bring them up) `, h('button', { id: 'show-all', onclick: () => ((limit = Infinity), draw()) }, `show all ${rows.length}`)] : []));
  const gs = [...new Set([...runs.values()].map((r) => r.group).filter(Boolean))].sort();
  groups.replaceChildren(...(gs.length ? ['Compare a batch: ', ...gs.map((g) => h('a', { href: `/compare?group=${encodeURIComponent(g)}`, style: 'margin-right:10px' }, g))] : []));
  updateCompare();
  document.body.dataset.drawMs = (performance.now() - t0).toFixed(1);
}

function updateCompare() {
  compareBtn.disabled = selected.size < 1;
  compareBtn.textContent = `Compare selected (${selected.size})`;
}

function sortBy(key: string): void {
  if (sortKey === key) sortDir = -sortDir;
  else {
    sortKey = key;
    sortDir = COLUMNS.find((c) => c.key === key)!.n || key === 'updated' ? -1 : 1;
  }
  draw();
}

filterInput.addEventListener('input', () => {
  filterText = filterInput.value;
  render();
});

async function main() {
  app.replaceChildren(h('h1', {}, 'Runs'), h('div', { class: 'toolbar' }, filterInput, compareBtn, count), groups, h('table', { id: 'runs' }, thead, tbody), more);
  onRunEvents((event, data) => {
    if (event === 'run') runs.set(data.id, data);
    else runs.delete(data.id);
    render();
  });
  const list = await api<{ root: string; runs: RunSummary[] }>('/api/runs');
  root = list.root;
  for (const r of list.runs) if (!runs.has(r.id)) runs.set(r.id, r);
  draw();
  document.body.dataset.ready = '1';
}
main().catch((e) => app.replaceChildren(h('p', { class: 'error' }, String(e))));
