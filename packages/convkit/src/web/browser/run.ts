// Run page: live curves (smoothing, x = epoch or time), status, Stop (SIGINT), and the report's views of the test set.
import type { HistoryRow, RunAnalysis } from '../../report/analysis-types.js';
import { renderConfusion } from '../../report/views/confusion.js';
import { colour, h } from '../../report/views/dom.js';
import { renderErrors } from '../../report/views/errors.js';
import { renderFeatureMaps } from '../../report/views/feature-maps.js';
import { duration, num, pct } from '../../report/views/format.js';
import { renderPerClass } from '../../report/views/per-class.js';
import { renderValidationErrors } from '../../report/views/validation.js';
import type { RunSummary } from '../api-types.js';
import { api, app, lineChart, message, onRunEvents, post, stateBadge, type LineSeries } from './common.js';
import type { TryItDataset } from './try-it-api.js';

/** What /api/run answers (the run's files as they are on disk; only the fields this page reads are typed). */
interface RunData {
  summary: RunSummary;
  config: { tensorboardBatches?: boolean; dataset?: TryItDataset } | null;
  status: { epoch: number; epochs: number; batch: number; batches: number; message?: string } | null;
  result: { test_accuracy: number } | null;
  metrics: HistoryRow[];
}
/** Per-batch running means from TensorBoard events (runs trained with --tb-batches). */
interface BatchPoint {
  step: number;
  loss?: number;
  accuracy?: number;
}

const id = new URLSearchParams(location.search).get('id') ?? '';
let data: RunData | null = null;
let batches: BatchPoint[] = [];
let smoothing = Number(localStorage.getItem('convkit.smoothing') ?? 0.6);
let xAxis = localStorage.getItem('convkit.xaxis') ?? 'epoch';
const head = h('div', { id: 'run-head' });
const charts = h('div', { class: 'charts', id: 'charts' });
const analysis = h('div', { id: 'analysis' });
const tryIt = h('section', { id: 'try-it' });

function xValues(metrics: HistoryRow[]): number[] {
  if (xAxis === 'epoch') return metrics.map((m) => m.epoch);
  let t = 0;
  return metrics.map((m) => (t += m.seconds ?? 0));
}

function drawCharts(): void {
  if (!data) return;
  const m = data.metrics;
  const x = xValues(m);
  const xLabel = xAxis === 'epoch' ? 'epoch' : 'training time (s)';
  const groups: [string, ('loss' | 'val_loss' | 'accuracy' | 'val_accuracy' | 'lr')[]][] = [
    ['loss', ['loss', 'val_loss']],
    ['accuracy', ['accuracy', 'val_accuracy']],
  ];
  if (m.some((r) => r.lr !== undefined)) groups.push(['learning rate', ['lr']]);
  charts.replaceChildren();
  const steps = data.status?.batches || data.summary.batches;
  for (const [title, keys] of groups) {
    const box = h('div', { class: 'chart', 'data-group': title });
    charts.append(box);
    const series: LineSeries[] = keys.filter((k) => m.some((r) => r[k] !== undefined)).map((k, i) => ({ label: k, x, y: m.map((r) => r[k] ?? null), colour: colour(i) }));
    const bk = title === 'loss' ? 'loss' : title === 'accuracy' ? 'accuracy' : null;
    if (bk && xAxis === 'epoch' && steps && batches.length) {
      const pts = batches.filter((p) => p[bk] !== undefined);
      series.push({ label: `batch ${bk} (running mean of the epoch)`, x: pts.map((p) => (p.step + 1) / steps), y: pts.map((p) => p[bk]), colour: '#999999' });
      box.dataset.batchPoints = String(pts.length);
    }
    const u = lineChart(box, { title, series, xLabel, smoothing: title === 'learning rate' ? 0 : smoothing });
    box.dataset.points = String(u.data[0].length);
  }
  charts.dataset.points = String(m.length);
}

function drawHead(d: RunData): void {
  const s = d.summary;
  const st = d.status;
  const running = s.state === 'running';
  const progress = st ? `epoch ${st.epoch}/${st.epochs}${running && st.batches ? `, batch ${st.batch}/${st.batches}` : ''}` : '';
  const stop = h('button', { class: 'danger', id: 'stop', disabled: !running, onclick: stopRun, title: 'Same as Ctrl-C: finish the batch, save checkpoints/last, exit 130; resume with convkit train --resume' }, 'Stop');
  const rows: [string, string | undefined][] = [
    ['model', s.model],
    ['dataset', s.dataset],
    ['best val accuracy', s.bestValAccuracy !== undefined ? `${pct(s.bestValAccuracy)} at epoch ${s.bestEpoch}` : '–'],
    ['test accuracy', d.result ? pct(d.result.test_accuracy) : '–'],
    ['duration', duration(s.durationS)],
    ['img/s', num(s.imagesPerS)],
    ['hyperparameters', Object.entries(s.hyper).map(([k, v]) => `${k}=${v}`).join('  ')],
  ];
  head.replaceChildren(
    h('h1', {}, `${s.id} `, stateBadge(s.state, s.note)),
    h('div', { class: 'toolbar' }, stop, h('span', { id: 'progress' }, progress), h('a', { href: `/maths?id=${encodeURIComponent(s.id)}` }, 'convolution walk-through on this run →')),
    st?.message ? h('p', { id: 'message', class: s.state === 'failed' ? 'error' : 'muted' }, st.message) : '',
    s.note && !st?.message ? h('p', { class: 'muted' }, s.note) : '',
    h('dl', { class: 'kv card' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '–')])),
  );
}

async function stopRun(e: Event): Promise<void> {
  (e.target as HTMLButtonElement).disabled = true;
  const progress = document.getElementById('progress')!;
  try {
    const r = await post<{ pid: number }>(`/api/run/stop?id=${encodeURIComponent(id)}`);
    progress.textContent = `SIGINT sent to process ${r.pid}; stopping after this batch…`;
  } catch (err) {
    progress.textContent = `cannot stop: ${message(err)}`;
  }
}

async function loadBatches(): Promise<void> {
  if (!data?.config?.tensorboardBatches) return;
  batches = (await api<{ points: BatchPoint[] }>(`/api/run/batches?id=${encodeURIComponent(id)}`)).points;
}

async function refresh(): Promise<RunData> {
  const d = (data = await api<RunData>(`/api/run?id=${encodeURIComponent(id)}`));
  await loadBatches();
  drawHead(d);
  drawCharts();
  document.body.dataset.state = d.summary.state;
  drawAnalysisEntry(d);
  drawTryItEntry(d);
  return d;
}

const controls = h(
  'div',
  { class: 'toolbar' },
  h('label', {}, 'smoothing ', h('input', { type: 'range', id: 'smoothing', min: 0, max: 0.99, step: 0.01, value: smoothing, oninput: (e) => {
    smoothing = Number((e.target as HTMLInputElement).value);
    localStorage.setItem('convkit.smoothing', String(smoothing));
    document.getElementById('smoothing-value')!.textContent = smoothing.toFixed(2);
    drawCharts();
  } }), h('span', { id: 'smoothing-value' }, smoothing.toFixed(2))),
  h('label', {}, 'x axis ', h('select', { id: 'xaxis', onchange: (e) => {
    xAxis = (e.target as HTMLSelectElement).value;
    localStorage.setItem('convkit.xaxis', xAxis);
    drawCharts();
  } }, ...['epoch', 'time'].map((v) => h('option', { value: v, selected: v === xAxis }, v)))),
  h('span', { class: 'muted' }, 'smoothing: debiased exponential moving average, as TensorBoard'),
);

// The report's views (confusion, per-class, errors, feature maps): the same code as `convkit report --html`.
let analysed: Promise<RunAnalysis> | null = null;

/** A section that needs the run stopped: its title and the button that opens it, or why it has to wait. */
function offerWhenStopped(section: HTMLElement, d: RunData, title: string, button: HTMLButtonElement, needs: string): void {
  const done = d.summary.state !== 'running' && d.summary.state !== 'pending';
  section.replaceChildren(h('h2', {}, title), done ? button : h('p', { class: 'muted' }, `Available once the run has stopped (${needs}).`));
}

function drawAnalysisEntry(d: RunData): void {
  if (analysis.dataset.drawn) return;
  const open = h('button', { id: 'analyse', onclick: showAnalysis }, 'Confusion matrix, per-class accuracy, errors, feature maps');
  offerWhenStopped(analysis, d, 'Analysis of the test set', open, 'it evaluates the best checkpoint on the test split');
}

async function showAnalysis(): Promise<void> {
  analysis.dataset.drawn = '1';
  const tabs = ['confusion', 'per-class', 'on validation', 'errors', 'feature maps'];
  const body = h('div', { id: 'analysis-body' }, h('p', { class: 'muted' }, 'Evaluating the test split…'));
  const bar = h('div', { class: 'toolbar tabs' }, ...tabs.map((t) => h('button', { 'data-tab': t }, t)));
  analysis.replaceChildren(h('h2', {}, 'Analysis of the test set'), bar, body);
  try {
    const a = await (analysed ??= post<RunAnalysis>(`/api/run/analysis?id=${encodeURIComponent(id)}`));
    const showTab = (t: string) => {
      for (const b of bar.querySelectorAll('button')) b.classList.toggle('on', b.dataset.tab === t);
      const box = h('div', { 'data-view': t });
      body.replaceChildren(box);
      if (t === 'confusion') renderConfusion(box, a, { normalised: a.confusion.length <= 10 });
      else if (t === 'per-class') renderPerClass(box, a);
      else if (t === 'on validation') renderValidationErrors(box, a);
      else if (t === 'errors') renderErrors(box, a, { limit: 48 });
      else renderFeatureMaps(box, a);
    };
    for (const b of bar.querySelectorAll('button')) b.onclick = () => showTab(b.dataset.tab!);
    showTab('confusion');
  } catch (e) {
    body.replaceChildren(h('p', { class: 'error' }, message(e)));
  }
}

// Try it: the run's own model classifies a drawing or a photo in this page. tfjs (1.5 MB) loads only when asked.
function drawTryItEntry(d: RunData): void {
  if (tryIt.dataset.opened) return;
  const open = h('button', { id: 'try-open', onclick: () => openTryIt(d) }, 'Draw a digit or drop a photo: the model runs in this page');
  offerWhenStopped(tryIt, d, 'Try it', open, 'it loads the saved model');
}

async function openTryIt(d: RunData): Promise<void> {
  tryIt.dataset.opened = '1';
  const body = h('div', { id: 'try-body' }, h('p', { class: 'muted' }, 'Loading tfjs…'));
  tryIt.replaceChildren(h('h2', {}, 'Try it'), body);
  try {
    if (!window.convkitTryIt) {
      await new Promise<void>((resolve, reject) => {
        const s = h('script', { src: '/static/try-it.js' });
        s.onload = () => resolve();
        s.onerror = () => reject(new Error('cannot load /static/try-it.js'));
        document.head.append(s);
      });
    }
    await window.convkitTryIt!.mount(body, { id, dataset: d.config?.dataset });
  } catch (e) {
    body.replaceChildren(h('p', { class: 'error' }, message(e)));
  }
}

async function main(): Promise<void> {
  app.replaceChildren(head, controls, charts, tryIt, analysis);
  let lastCount = -1;
  let lastKey = '';
  onRunEvents((event, s) => {
    if (event !== 'run' || s.id !== id) return;
    const key = `${s.state}|${s.epoch}|${s.batch}|${s.metricsCount}|${s.updated}`;
    if (key === lastKey) return;
    lastKey = key;
    if (s.metricsCount !== lastCount || s.state !== data?.summary.state) {
      lastCount = s.metricsCount;
      refresh();
    } else if (data) {
      data.summary = s;
      const p = document.getElementById('progress');
      if (p && s.state === 'running' && s.batches) p.textContent = `epoch ${s.epoch}/${s.epochs}, batch ${s.batch}/${s.batches}`;
      if (data.config?.tensorboardBatches) loadBatches().then(drawCharts);
    }
  });
  const d = await refresh();
  lastCount = d.summary.metricsCount;
  document.body.dataset.ready = '1';
}
main().catch((e) => app.replaceChildren(h('p', { class: 'error' }, message(e))));
