// Shared by every page: API calls, the POST token, formatting, small DOM and chart helpers.
import { smoothEma } from './smooth.js';

export const token = document.querySelector('meta[name="convkit-token"]')?.content ?? '';
export const app = document.getElementById('app');

export async function api(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error ?? `${r.status} ${r.statusText}`);
  return body;
}

export async function post(path) {
  const r = await fetch(path, { method: 'POST', headers: { 'X-Convkit-Token': token } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error ?? `${r.status} ${r.statusText}`);
  return body;
}

/** el('div.cls', {attr}, ...children) */
export function el(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  const e = document.createElement(tag || 'div');
  if (classes.length) e.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

export const pct = (v) => (v === undefined || v === null ? '' : `${(v * 100).toFixed(2)} %`);
// one formatter each: toLocaleString builds a new one per call, which costs seconds over a thousand rows
const NUMBER_FORMATS = new Map();
export function num(v, d = 0) {
  if (v === undefined || v === null) return '';
  if (!NUMBER_FORMATS.has(d)) NUMBER_FORMATS.set(d, new Intl.NumberFormat('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
  return NUMBER_FORMATS.get(d).format(v);
}
const DATE_FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
export const when = (iso) => (iso ? DATE_FORMAT.format(new Date(iso)) : '');
export function duration(s) {
  if (s === undefined || s === null) return '';
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}
export const runHref = (id) => `/run?id=${encodeURIComponent(id)}`;
export const stateBadge = (state, note) => el(`span.state.${state}`, { title: note ?? '' }, state);

/** Server-Sent Events of the runs index: fn(event, data). EventSource reconnects by itself. */
export function onRunEvents(fn) {
  const es = new EventSource('/api/events');
  // a dot in the header: green while the event stream is open, grey while the browser reconnects (server restarted)
  const dot = document.querySelector('header .live') ?? document.querySelector('header').appendChild(el('span.live', { title: 'live updates' }));
  es.onopen = () => ((dot.className = 'live on'), (dot.title = 'live updates: connected'));
  es.onerror = () => ((dot.className = 'live'), (dot.title = 'live updates: reconnecting…'));
  es.addEventListener('run', (e) => fn('run', JSON.parse(e.data)));
  es.addEventListener('removed', (e) => fn('removed', JSON.parse(e.data)));
  return es;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
export const colour = (i) => PALETTE[i % PALETTE.length];

/**
 * A uPlot line chart. series: [{label, x: number[], y: number[], colour, dash}]; every series on its own x values
 * (runs of different lengths) is merged onto one sorted x axis with gaps.
 */
export function lineChart(container, { title, series, xLabel, smoothing = 0, width, height = 260 }) {
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const data = [xs];
  const shown = [];
  const column = (s, ys) => {
    const col = new Array(xs.length).fill(null);
    s.x.forEach((x, i) => (col[at.get(x)] = ys[i] ?? null));
    return col;
  };
  for (const s of series) {
    if (smoothing > 0) {
      // as TensorBoard: the raw values stay visible, faint, under the smoothed line
      data.push(column(s, s.y));
      shown.push({ label: `${s.label} (raw)`, stroke: `${s.colour}44`, width: 1, spanGaps: true, points: { show: false } });
    }
    data.push(column(s, smoothing > 0 ? smoothEma(s.y, smoothing) : s.y));
    shown.push({ label: s.label, stroke: s.colour, width: 2, dash: s.dash, spanGaps: true, points: { show: xs.length < 40 } });
  }
  const opts = {
    title,
    width: width ?? Math.max(320, Math.min(container.clientWidth || 560, 640)),
    height,
    scales: { x: { time: false } },
    axes: [{ label: xLabel }, { size: 56, values: (u, vals) => vals.map((v) => (v === null ? '' : String(+v.toPrecision(3)))) }],
    series: [{ label: xLabel }, ...shown],
  };
  container.replaceChildren();
  return new uPlot(opts, data, container);
}
