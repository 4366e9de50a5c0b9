// Compare: chosen runs or a batch → table (best per column highlighted), hyperparameters, overlaid curves.
import { api, app, colour, duration, el, lineChart, num, pct, post, runHref, stateBadge } from './common.js';

const params = new URLSearchParams(location.search);

const COLUMNS = [
  { label: 'best val acc', get: (r) => r.summary.bestValAccuracy, fmt: (v, r) => (v === undefined ? '' : `${pct(v)} @${r.summary.bestEpoch}`), better: 'max' },
  { label: 'final val loss', get: (r) => r.metrics.at(-1)?.val_loss, fmt: (v) => (v === undefined ? '' : v.toFixed(4)), better: 'min' },
  { label: 'test acc', get: (r) => r.summary.testAccuracy, fmt: pct, better: 'max' },
  { label: 'epochs done', get: (r) => r.metrics.length, fmt: (v) => String(v) },
  { label: 'duration', get: (r) => r.summary.durationS, fmt: duration, better: 'min' },
  { label: 'img/s', get: (r) => r.summary.imagesPerS, fmt: (v) => num(v), better: 'max' },
];

function table(runs) {
  const hyperKeys = [...new Set(runs.flatMap((r) => Object.keys(r.summary.hyper)))].filter((k) => new Set(runs.map((r) => String(r.summary.hyper[k]))).size > 1 || runs.length === 1);
  const best = COLUMNS.map((c) => {
    const vals = runs.map(c.get).filter((v) => v !== undefined && v !== null);
    if (!c.better || vals.length < 2) return undefined;
    return c.better === 'max' ? Math.max(...vals) : Math.min(...vals);
  });
  return el(
    'table',
    { id: 'compare-table' },
    el('thead', {}, el('tr', {}, el('th', {}, 'run'), el('th', {}, 'status'), el('th', {}, 'model'), el('th', {}, 'dataset'), ...COLUMNS.map((c) => el('th.n', {}, c.label)), ...hyperKeys.map((k) => el('th', { title: 'hyperparameter (config.json)' }, el('i', {}, k))))),
    el(
      'tbody',
      {},
      ...runs.map((r, i) =>
        el(
          'tr',
          { 'data-id': r.summary.id },
          el('td', {}, el('span', { style: `color:${colour(i)}` }, '■ '), el('a', { href: runHref(r.summary.id) }, r.summary.id)),
          el('td', {}, stateBadge(r.summary.state, r.summary.note)),
          el('td', {}, r.summary.model ?? ''),
          el('td', {}, r.summary.dataset ?? ''),
          ...COLUMNS.map((c, k) => {
            const v = c.get(r);
            return el(`td.n${v !== undefined && v === best[k] ? '.best' : ''}`, {}, v === undefined || v === null ? '' : c.fmt(v, r));
          }),
          ...hyperKeys.map((k) => el('td', {}, String(r.summary.hyper[k] ?? ''))),
        ),
      ),
    ),
  );
}

function curves(box, runs, smoothing) {
  box.replaceChildren();
  for (const [metric, title] of [['val_accuracy', 'validation accuracy'], ['val_loss', 'validation loss'], ['accuracy', 'training accuracy'], ['loss', 'training loss']]) {
    const c = el('div.chart', { 'data-metric': metric });
    box.append(c);
    lineChart(c, { title, xLabel: 'epoch', smoothing, series: runs.map((r, i) => ({ label: r.summary.id, x: r.metrics.map((m) => m.epoch), y: r.metrics.map((m) => m[metric] ?? null), colour: colour(i) })) });
  }
}

// the reports issue's comparison view (same bundle as `convkit report RUN1 RUN2 --html`), on each run's analysis
async function showPerClass(runs) {
  const box = document.getElementById('per-class-box');
  box.replaceChildren(el('h2', {}, 'Per-class accuracy side by side'), el('p.muted', {}, `Evaluating ${runs.length} runs…`));
  try {
    const views = await new Promise((resolve, reject) => {
      if (window.convkitViews) return resolve(window.convkitViews);
      const s = el('script', { src: '/static/convkit-views.js' });
      s.onload = () => resolve(window.convkitViews);
      s.onerror = () => reject(new Error('the report views are not in this build'));
      document.head.append(s);
    });
    const analyses = [];
    for (const r of runs) analyses.push(await post(`/api/run/analysis?id=${encodeURIComponent(r.summary.id)}`)); // one at a time: each evaluates a test set
    const view = el('div', { id: 'report-compare' });
    box.replaceChildren(el('h2', {}, 'Per-class accuracy side by side'), view);
    views.renderCompare(view, analyses);
  } catch (e) {
    box.append(el('p.error', {}, e.message));
  }
}

async function main() {
  const group = params.get('group');
  const ids = (params.get('id') ?? '').split(',').filter(Boolean);
  if (group === null && !ids.length) {
    const list = await api('/api/runs');
    const groups = [...new Set(list.runs.map((r) => r.group).filter(Boolean))].sort();
    app.replaceChildren(
      el('h1', {}, 'Compare'),
      el('p', {}, 'Tick runs on the ', el('a', { href: '/' }, 'runs page'), ' and press "Compare selected", or pick a batch:'),
      el('ul', {}, ...groups.map((g) => el('li', {}, el('a', { href: `/compare?group=${encodeURIComponent(g)}` }, g), ` (${list.runs.filter((r) => r.group === g || r.group.startsWith(g + '/')).length} runs)`))),
    );
    return;
  }
  const q = group !== null ? `group=${encodeURIComponent(group)}` : `id=${ids.map(encodeURIComponent).join(',')}`;
  const { runs } = await api(`/api/compare?${q}`);
  let smoothing = 0;
  const perClass = el('div', { id: 'per-class-box' });
  const box = el('div.charts', { id: 'overlay' });
  app.replaceChildren(
    el('h1', {}, group !== null ? `Batch ${group}` : `Comparing ${runs.length} runs`),
    el('div', { style: 'overflow-x:auto' }, table(runs)),
    el('p.muted', {}, 'Green: best of the column. Hyperparameter columns show only what differs between the runs.'),
    el('div.toolbar', {}, el('label', {}, 'smoothing ', el('input', { type: 'range', min: 0, max: 0.99, step: 0.01, value: 0, oninput: (e) => curves(box, runs, (smoothing = Number(e.target.value))) }))),
    box,
    perClass,
  );
  curves(box, runs, smoothing);
  const finished = runs.filter((r) => r.summary.state !== 'running' && r.summary.state !== 'pending');
  perClass.replaceChildren(
    el('h2', {}, 'Per-class accuracy side by side'),
    finished.length
      ? el('button', { id: 'per-class', onclick: () => showPerClass(finished) }, `Evaluate the ${finished.length} stopped run${finished.length > 1 ? 's' : ''} on their test sets`)
      : el('p.muted', {}, 'Once runs have stopped.'),
  );
  document.body.dataset.ready = '1';
}
main().catch((e) => app.replaceChildren(el('p.error', {}, String(e.message ?? e))));
