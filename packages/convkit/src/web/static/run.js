// Run page: live curves (smoothing, x = epoch or time), status, Stop (SIGINT), and the report views of issue 12.
import { api, app, colour, duration, el, lineChart, num, onRunEvents, pct, post, stateBadge } from './common.js';

const id = new URLSearchParams(location.search).get('id');
let data = null;
let batches = []; // per-batch running means from TensorBoard events (runs trained with --tb-batches)
let smoothing = Number(localStorage.getItem('convkit.smoothing') ?? 0.6);
let xAxis = localStorage.getItem('convkit.xaxis') ?? 'epoch';
const head = el('div', { id: 'run-head' });
const charts = el('div.charts', { id: 'charts' });
const analysis = el('div', { id: 'analysis' });

function xValues(metrics) {
  if (xAxis === 'epoch') return metrics.map((m) => m.epoch);
  let t = 0;
  return metrics.map((m) => (t += m.seconds ?? 0));
}

function drawCharts() {
  const m = data.metrics;
  const x = xValues(m);
  const xLabel = xAxis === 'epoch' ? 'epoch' : 'training time (s)';
  const groups = [
    ['loss', ['loss', 'val_loss']],
    ['accuracy', ['accuracy', 'val_accuracy']],
  ];
  if (m.some((r) => r.lr !== undefined)) groups.push(['learning rate', ['lr']]);
  charts.replaceChildren();
  const steps = data.status?.batches || data.summary.batches;
  for (const [title, keys] of groups) {
    const box = el('div.chart', { 'data-group': title });
    charts.append(box);
    const series = keys.filter((k) => m.some((r) => r[k] !== undefined)).map((k, i) => ({ label: k, x, y: m.map((r) => r[k] ?? null), colour: colour(i) }));
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

function drawHead() {
  const s = data.summary;
  const st = data.status;
  const running = s.state === 'running';
  const progress = st ? `epoch ${st.epoch}/${st.epochs}${running && st.batches ? `, batch ${st.batch}/${st.batches}` : ''}` : '';
  const stop = el('button.danger', { id: 'stop', disabled: !running, onclick: stopRun, title: 'Same as Ctrl-C: finish the batch, save checkpoints/last, exit 130; resume with convkit train --resume' }, 'Stop');
  head.replaceChildren(
    ...[el('h1', {}, `${s.id} `, stateBadge(s.state, s.note)),
    el('div.toolbar', {}, stop, el('span', { id: 'progress' }, progress), el('a', { href: `/maths?id=${encodeURIComponent(s.id)}` }, 'convolution walk-through on this run →')),
    st?.message ? el('p', { id: 'message', class: s.state === 'failed' ? 'error' : 'muted' }, st.message) : null,
    s.note && !st?.message ? el('p.muted', {}, s.note) : null,
    el(
      'dl.kv.card',
      {},
      ...[
        ['model', s.model],
        ['dataset', s.dataset],
        ['best val accuracy', s.bestValAccuracy !== undefined ? `${pct(s.bestValAccuracy)} at epoch ${s.bestEpoch}` : '–'],
        ['test accuracy', data.result ? pct(data.result.test_accuracy) : '–'],
        ['duration', duration(s.durationS)],
        ['img/s', num(s.imagesPerS)],
        ['hyperparameters', Object.entries(s.hyper).map(([k, v]) => `${k}=${v}`).join('  ')],
      ].flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v ?? '–')]),
    )].filter(Boolean),
  );
}

async function stopRun(e) {
  e.target.disabled = true;
  try {
    const r = await post(`/api/run/stop?id=${encodeURIComponent(id)}`);
    document.getElementById('progress').textContent = `SIGINT sent to process ${r.pid}; stopping after this batch…`;
  } catch (err) {
    document.getElementById('progress').textContent = `cannot stop: ${err.message}`;
  }
}

async function loadBatches() {
  if (!data?.config?.tensorboardBatches) return;
  batches = (await api(`/api/run/batches?id=${encodeURIComponent(id)}`)).points;
}

async function refresh() {
  data = await api(`/api/run?id=${encodeURIComponent(id)}`);
  await loadBatches();
  drawHead();
  drawCharts();
  document.body.dataset.state = data.summary.state;
  drawAnalysisEntry();
}

const controls = el(
  'div.toolbar',
  {},
  el('label', {}, 'smoothing ', el('input', { type: 'range', id: 'smoothing', min: 0, max: 0.99, step: 0.01, value: smoothing, oninput: (e) => {
    smoothing = Number(e.target.value);
    localStorage.setItem('convkit.smoothing', String(smoothing));
    document.getElementById('smoothing-value').textContent = smoothing.toFixed(2);
    drawCharts();
  } }), el('span', { id: 'smoothing-value' }, smoothing.toFixed(2))),
  el('label', {}, 'x axis ', el('select', { id: 'xaxis', onchange: (e) => {
    xAxis = e.target.value;
    localStorage.setItem('convkit.xaxis', xAxis);
    drawCharts();
  } }, ...['epoch', 'time'].map((v) => el('option', { value: v, selected: v === xAxis }, v)))),
  el('span.muted', {}, 'smoothing: debiased exponential moving average, as TensorBoard'),
);

// Report views (confusion, per-class, errors, feature maps): the same bundle as `convkit report --html`.
let views = null;
let analysed = null;
function loadViews() {
  if (views) return views;
  views = new Promise((resolve, reject) => {
    const s = el('script', { src: '/static/convkit-views.js' });
    s.onload = () => (window.convkitViews ? resolve(window.convkitViews) : reject(new Error('views bundle did not load')));
    s.onerror = () => reject(new Error('the report views are not in this build'));
    document.head.append(s);
  });
  return views;
}

function drawAnalysisEntry() {
  if (analysis.dataset.drawn) return;
  const done = data.summary.state !== 'running' && data.summary.state !== 'pending';
  analysis.replaceChildren(
    el('h2', {}, 'Analysis of the test set'),
    done
      ? el('button', { id: 'analyse', onclick: showAnalysis }, 'Confusion matrix, per-class accuracy, errors, feature maps')
      : el('p.muted', {}, 'Available once the run has stopped (it evaluates the best checkpoint on the test split).'),
  );
}

async function showAnalysis() {
  analysis.dataset.drawn = '1';
  const tabs = ['confusion', 'per-class', 'errors', 'feature maps'];
  const body = el('div', { id: 'analysis-body' }, el('p.muted', {}, 'Evaluating the test split…'));
  const bar = el('div.toolbar.tabs', {}, ...tabs.map((t) => el('button', { 'data-tab': t }, t)));
  analysis.replaceChildren(el('h2', {}, 'Analysis of the test set'), bar, body);
  try {
    const [v, a] = await Promise.all([loadViews(), analysed ?? (analysed = post(`/api/run/analysis?id=${encodeURIComponent(id)}`))]);
    function showTab(t) {
      for (const b of bar.children) b.classList.toggle('on', b.dataset.tab === t);
      const box = el('div', { 'data-view': t });
      body.replaceChildren(box);
      if (t === 'confusion') v.renderConfusion(box, a, { normalised: a.confusion.length <= 10 });
      else if (t === 'per-class') v.renderPerClass(box, a);
      else if (t === 'errors') v.renderErrors(box, a, { limit: 48 });
      else v.renderFeatureMaps(box, a);
    }
    for (const b of bar.children) b.onclick = () => showTab(b.dataset.tab);
    showTab('confusion');
  } catch (e) {
    body.replaceChildren(el('p.error', {}, e.message));
  }
}

async function main() {
  app.replaceChildren(head, controls, charts, analysis);
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
  await refresh();
  lastCount = data.summary.metricsCount;
  document.body.dataset.ready = '1';
}
main().catch((e) => app.replaceChildren(el('p.error', {}, String(e.message ?? e))));
