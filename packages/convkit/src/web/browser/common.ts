// Shared by every dashboard page: API calls, the POST token, dates, the state badge, the live event stream and the
// live line chart. DOM building, number formatting and the palette are the report views' (report/views/).
import uPlot from 'uplot';
import { h } from '../../report/views/dom.js';
import { smoothEma } from '../../report/views/smooth.js';
import type { DisplayState, RunSummary } from '../api-types.js';

export const token = document.querySelector<HTMLMetaElement>('meta[name="convkit-token"]')?.content ?? '';
export const app = document.getElementById('app')!;

async function call<T>(path: string, init: RequestInit): Promise<T> {
  const r = await fetch(path, init);
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error((body as { error?: string }).error ?? `${r.status} ${r.statusText}`);
  return body as T;
}

export const api = <T>(path: string): Promise<T> => call<T>(path, { headers: { Accept: 'application/json' } });
export const post = <T>(path: string): Promise<T> => call<T>(path, { method: 'POST', headers: { 'X-Convkit-Token': token } });

/** The message of anything thrown. */
export const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const DATE_FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
export const when = (iso: string | undefined): string => (iso ? DATE_FORMAT.format(new Date(iso)) : '');
export const runHref = (id: string): string => `/run?id=${encodeURIComponent(id)}`;
export const stateBadge = (state: DisplayState, note?: string): HTMLElement => h('span', { class: `state ${state}`, title: note ?? '' }, state);

/** Server-Sent Events of the runs index: fn(event, data). EventSource reconnects by itself. */
export function onRunEvents(fn: (event: 'run' | 'removed', data: RunSummary) => void): EventSource {
  const es = new EventSource('/api/events');
  // a dot in the header: green while the event stream is open, grey while the browser reconnects (server restarted)
  const dot = document.querySelector('header .live') ?? document.querySelector('header')!.appendChild(h('span', { class: 'live', title: 'live updates' }));
  es.onopen = () => ((dot.className = 'live on'), dot.setAttribute('title', 'live updates: connected'));
  es.onerror = () => ((dot.className = 'live'), dot.setAttribute('title', 'live updates: reconnecting…'));
  es.addEventListener('run', (e) => fn('run', JSON.parse((e as MessageEvent<string>).data)));
  es.addEventListener('removed', (e) => fn('removed', JSON.parse((e as MessageEvent<string>).data)));
  return es;
}

export interface LineSeries {
  label: string;
  x: number[];
  y: (number | null | undefined)[];
  colour: string;
  dash?: number[];
}

export interface LineChartOptions {
  title: string;
  series: LineSeries[];
  xLabel: string;
  /** TensorBoard's EMA weight, 0 = raw. */
  smoothing?: number;
  width?: number;
  height?: number;
}

/**
 * A uPlot line chart of live data: every series on its own x values (runs of different lengths, batch points between
 * epochs, x = time) merged onto one sorted x axis with gaps; smoothed lines over faint raw ones, as TensorBoard.
 */
export function lineChart(container: HTMLElement, { title, series, xLabel, smoothing = 0, width, height = 260 }: LineChartOptions): uPlot {
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const data: (number | null)[][] = [xs];
  const shown: uPlot.Series[] = [];
  const column = (s: LineSeries, ys: readonly (number | null | undefined)[]) => {
    const col: (number | null)[] = new Array(xs.length).fill(null);
    s.x.forEach((x, i) => (col[at.get(x)!] = ys[i] ?? null));
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
  const opts: uPlot.Options = {
    title,
    width: width ?? Math.max(320, Math.min(container.clientWidth || 560, 640)),
    height,
    scales: { x: { time: false } },
    axes: [{ label: xLabel }, { size: 56, values: (_u, vals) => vals.map((v) => (v === null ? '' : String(+v.toPrecision(3)))) }],
    series: [{ label: xLabel }, ...shown],
  };
  container.replaceChildren();
  return new uPlot(opts, data as uPlot.AlignedData, container);
}
