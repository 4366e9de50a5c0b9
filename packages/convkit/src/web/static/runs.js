// Runs list: every run under the runs folder, live over SSE, filter by text or /regex/, sort by any column.
import { api, app, duration, el, num, onRunEvents, pct, runHref, stateBadge, when } from './common.js';
import { compileFilter } from './smooth.js';

const COLUMNS = [
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

const runs = new Map();
const selected = new Set();
let sortKey = 'updated';
let sortDir = -1;
let filterText = new URLSearchParams(location.search).get('q') ?? '';
let root = '';
let limit = 200;
const more = el('p.muted', { id: 'more' });

function cell(r, c) {
  const v = c.get(r);
  switch (c.key) {
    case 'id':
      return el('td', {}, el('a', { href: runHref(r.id) }, r.id));
    case 'state':
      return el('td', {}, stateBadge(r.state, r.note));
    case 'epoch':
      return el('td.n', {}, r.epochs ? `${r.epoch}/${r.epochs}` : String(r.epoch));
    case 'bestValAccuracy':
    case 'testAccuracy':
      return el('td.n', {}, pct(v));
    case 'durationS':
      return el('td.n', {}, duration(v));
    case 'imagesPerS':
      return el('td.n', {}, num(v));
    case 'updated':
      return el('td.muted', {}, when(v));
    default:
      return el(c.n ? 'td.n' : 'td', {}, v ?? '');
  }
}

function compare(a, b) {
  const c = COLUMNS.find((x) => x.key === sortKey);
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

const filterInput = el('input', { type: 'search', placeholder: 'filter: words or /regex/ (run, model, dataset, status)', value: filterText, id: 'filter' });
const count = el('span.muted', { id: 'count' });
const compareBtn = el('button', { id: 'compare-selected', onclick: () => (location.href = `/compare?id=${[...selected].map(encodeURIComponent).join(',')}`) }, 'Compare selected');
const tbody = el('tbody');
const thead = el('thead');
const groups = el('div.muted', { id: 'groups' });

// a row is rebuilt only when its summary changed (SSE brings a new object): redraws just reorder cached rows
const rowCache = new WeakMap();
function rowOf(r) {
  let tr = rowCache.get(r);
  if (!tr) {
    tr = el(
      'tr',
      { 'data-id': r.id, 'data-state': r.state },
      el('td', {}, el('input', { type: 'checkbox', checked: selected.has(r.id), onchange: (e) => (e.target.checked ? selected.add(r.id) : selected.delete(r.id), updateCompare()) })),
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
    el('tr', {}, el('th', {}, ''), ...COLUMNS.map((c) => el(`th${c.n ? '.n' : ''}${c.key === sortKey ? '.sorted' : ''}`, { 'data-key': c.key, 'data-dir': sortDir > 0 ? ' ▲' : ' ▼', onclick: () => sortBy(c.key) }, c.label))),
  );
  // a table of thousands of rows costs seconds of layout on every change: draw the first `limit`, the rest on demand
  const visible = rows.length > limit ? rows.slice(0, limit) : rows;
  tbody.replaceChildren(...visible.map(rowOf));
  tbody.dataset.matching = String(rows.length);
  tbody.dataset.total = String(runs.size);
  count.textContent = `${rows.length} of ${runs.size} runs in ${root}`;
  more.replaceChildren(...(rows.length > limit ? [`${rows.length - limit} more rows not drawn (sort or filter to bring them up) `, el('button', { id: 'show-all', onclick: () => ((limit = Infinity), draw()) }, `show all ${rows.length}`)] : []));
  const gs = [...new Set([...runs.values()].map((r) => r.group).filter(Boolean))].sort();
  groups.replaceChildren(...(gs.length ? ['Compare a batch: ', ...gs.map((g) => el('a', { href: `/compare?group=${encodeURIComponent(g)}`, style: 'margin-right:10px' }, g))] : []));
  updateCompare();
  document.body.dataset.drawMs = (performance.now() - t0).toFixed(1);
}

function updateCompare() {
  compareBtn.disabled = selected.size < 1;
  compareBtn.textContent = `Compare selected (${selected.size})`;
}

function sortBy(key) {
  if (sortKey === key) sortDir = -sortDir;
  else {
    sortKey = key;
    sortDir = COLUMNS.find((c) => c.key === key).n || key === 'updated' ? -1 : 1;
  }
  draw();
}

filterInput.addEventListener('input', () => {
  filterText = filterInput.value;
  render();
});

async function main() {
  app.replaceChildren(el('h1', {}, 'Runs'), el('div.toolbar', {}, filterInput, compareBtn, count), groups, el('table', { id: 'runs' }, thead, tbody), more);
  onRunEvents((event, data) => {
    if (event === 'run') runs.set(data.id, data);
    else runs.delete(data.id);
    render();
  });
  const list = await api('/api/runs');
  root = list.root;
  for (const r of list.runs) if (!runs.has(r.id)) runs.set(r.id, r);
  draw();
  document.body.dataset.ready = '1';
}
main().catch((e) => app.replaceChildren(el('p.error', {}, String(e))));
