// Compare: chosen runs or a batch, drawn by the report's comparison view (report/views/compare.ts, the same as
// `convkit report RUN1 RUN2 --html`) with the dashboard's links, status and differing hyperparameters; the stopped
// runs' per-class accuracy once evaluated on their test sets.
import type { CompareRun, HistoryRow } from '../../report/analysis-types.js';
import { scalingCharts, type ScalingChart } from '../../report/scaling.js';
import { renderCompare } from '../../report/views/compare.js';
import { h } from '../../report/views/dom.js';
import type { RunSummary } from '../api-types.js';
import { api, app, message, post, runHref, stateBadge } from './common.js';

interface Compared {
  summary: RunSummary;
  metrics: HistoryRow[];
}

const params = new URLSearchParams(location.search);

function compareRun({ summary: s, metrics }: Compared): CompareRun {
  return {
    run: s.id,
    model: s.model ?? '?',
    data: s.data ?? s.dataset ?? '?',
    history: { epochs: metrics, best: {} },
    result: { test_accuracy: s.testAccuracy, duration_s: s.durationS, images_per_s: s.imagesPerS },
  } as CompareRun;
}

/**
 * The finished runs' accuracy against training-set size (charts only for datasets with two sizes or more): a line per
 * model and per setting of the differing hyperparameters other than limitTrain and seed (the x axis and the spread).
 */
function scalingOf(summaries: RunSummary[], hyperKeys: string[]): ScalingChart[] {
  const base = (p: string) => p.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || p;
  const split = hyperKeys.filter((k) => k !== 'limitTrain' && k !== 'seed');
  return scalingCharts(
    summaries
      .filter((s) => s.state === 'completed' && s.testAccuracy !== undefined && s.trainCount !== undefined)
      .map((s) => {
        const limit = s.hyper.limitTrain;
        return {
          dataset: s.dataset ?? s.data ?? '?',
          family: [base(s.model ?? '?'), ...split.map((k) => `${k}=${s.hyper[k] ?? ''}`)].join(' '),
          ...(typeof limit === 'string' || typeof limit === 'number' ? { limit } : {}),
          trainCount: s.trainCount!,
          accuracy: s.testAccuracy!,
        };
      }),
  );
}

async function main(): Promise<void> {
  const group = params.get('group');
  const ids = (params.get('id') ?? '').split(',').filter(Boolean);
  if (group === null && !ids.length) {
    const list = await api<{ runs: RunSummary[] }>('/api/runs');
    const groups = [...new Set(list.runs.map((r) => r.group).filter(Boolean))].sort();
    app.replaceChildren(
      h('h1', {}, 'Compare'),
      h('p', {}, 'Tick runs on the ', h('a', { href: '/' }, 'runs page'), ' and press "Compare selected", or pick a batch:'),
      h('ul', {}, ...groups.map((g) => h('li', {}, h('a', { href: `/compare?group=${encodeURIComponent(g)}` }, g), ` (${list.runs.filter((r) => r.group === g || r.group.startsWith(g + '/')).length} runs)`))),
    );
    document.body.dataset.ready = '1';
    return;
  }
  const q = group !== null ? `group=${encodeURIComponent(group)}` : `id=${ids.map(encodeURIComponent).join(',')}`;
  const { runs } = await api<{ runs: Compared[] }>(`/api/compare?${q}`);
  const summaries = runs.map((r) => r.summary);
  // hyperparameter columns: only what differs between the runs (everything for one run)
  const hyperKeys = [...new Set(summaries.flatMap((s) => Object.keys(s.hyper)))].filter((k) => new Set(summaries.map((s) => String(s.hyper[k]))).size > 1 || runs.length === 1);
  let shown: CompareRun[] = runs.map(compareRun);
  const scaling = scalingOf(summaries, hyperKeys);
  let smoothing = 0;
  const view = h('div', { id: 'report-compare' });
  const draw = () =>
    renderCompare(view, shown, {
      smoothing,
      scaling,
      href: (_r, i) => runHref(summaries[i].id),
      columns: [
        { label: 'status', cell: (_r, i) => stateBadge(summaries[i].state, summaries[i].note) },
        ...hyperKeys.map((k) => ({ label: h('i', {}, k), title: "hyperparameter (the run's config)", cell: (_r: CompareRun, i: number) => String(summaries[i].hyper[k] ?? '') })),
      ],
    });
  const perClass = h('div', { id: 'per-class-box' });
  app.replaceChildren(
    h('h1', {}, group !== null ? `Batch ${group}` : `Comparing ${runs.length} runs`),
    h('div', { class: 'toolbar' }, h('label', {}, 'smoothing ', h('input', { type: 'range', id: 'smoothing', min: 0, max: 0.99, step: 0.01, value: 0, oninput: (e) => ((smoothing = Number((e.target as HTMLInputElement).value)), draw()) }))),
    view,
    h('p', { class: 'muted' }, 'Green: best of the column. Hyperparameter columns show only what differs between the runs.'),
    perClass,
  );
  draw();
  const finished = runs.map((r, i) => ({ r, i })).filter(({ r }) => r.summary.state !== 'running' && r.summary.state !== 'pending');
  // one at a time: each evaluates a test set; the table then shows the test figures and per-class accuracy side by side
  async function evaluate(button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    button.textContent = `Evaluating ${finished.length} run${finished.length > 1 ? 's' : ''}…`;
    try {
      const next = [...shown];
      for (const { r, i } of finished) next[i] = { ...(await post<CompareRun>(`/api/run/analysis?id=${encodeURIComponent(r.summary.id)}`)), run: r.summary.id };
      shown = next;
      draw();
      perClass.replaceChildren();
    } catch (e) {
      perClass.append(h('p', { class: 'error' }, message(e)));
    }
  }
  perClass.replaceChildren(
    h('h2', {}, 'Per-class accuracy side by side'),
    finished.length
      ? h('button', { id: 'per-class', onclick: (e) => evaluate(e.target as HTMLButtonElement) }, `Evaluate the ${finished.length} stopped run${finished.length > 1 ? 's' : ''} on their test sets`)
      : h('p', { class: 'muted' }, 'Once runs have stopped.'),
  );
  document.body.dataset.ready = '1';
}
main().catch((e) => app.replaceChildren(h('p', { class: 'error' }, message(e))));
