import type { CompareRun, RunAnalysis } from '../analysis-types.js';
import { renderCompare } from './compare.js';
import { renderConfusion, renderTopConfusions } from './confusion.js';
import { renderCurves } from './curves.js';
import { h, prepare } from './dom.js';
import { pct } from './format.js';
import { renderErrors } from './errors.js';
import { renderFeatureMaps } from './feature-maps.js';
import { renderPerClass } from './per-class.js';
import type { ScalingChart } from './scaling.js';
import { renderValidationErrors } from './validation.js';

function kpi(label: string, value: string): HTMLElement {
  return h('div', { class: 'ck-kpi' }, h('span', { class: 'ck-muted' }, label), h('b', {}, value));
}

/** Which weights made the predictions: a run's checkpoint, or an ensemble's members (each its scored checkpoint). */
function weightsOf(a: RunAnalysis): string {
  if (a.ensemble) return `probabilities averaged over ${a.ensemble.members.length} members (${a.ensemble.members.map((m) => m.run).join(', ')})${a.ensemble.tta ? ` and ${a.ensemble.tta} TTA transforms` : ''}`;
  return `weights: checkpoints/${a.checkpoint.name} (epoch ${a.checkpoint.epoch}${a.checkpoint.batch ? `, batch ${a.checkpoint.batch}` : ''})`;
}

/** The header of a run: model, data, weights, test figures, best validation values. */
export function renderSummary(el: HTMLElement, a: RunAnalysis): void {
  prepare(el, 'ck-summary');
  const bva = a.history.best.val_accuracy;
  const bvl = a.history.best.val_loss;
  el.append(
    h('div', { class: 'ck-muted' }, `${a.model} on ${a.data} · ${a.input.height}×${a.input.width}×${a.input.channels} · ${a.classes.length} classes · ${weightsOf(a)} · ${a.backend}`),
    h('div', { class: 'ck-kpis' },
      kpi('test accuracy', pct(a.test.accuracy)),
      kpi('test loss', a.test.loss.toFixed(4)),
      kpi('test images', a.test.count.toLocaleString('en')),
      kpi('errors', a.errors.count.toLocaleString('en')),
      a.ensemble ? kpi('members', String(a.ensemble.members.length)) : kpi('epochs', String(a.history.epochs.length)),
      bva ? kpi('best val accuracy', `${pct(bva.value)} @${bva.epoch}`) : null,
      bvl ? kpi('best val loss', `${bvl.value.toFixed(4)} @${bvl.epoch}`) : null,
    ),
  );
}

const SECTIONS: [id: string, title: string, draw: (el: HTMLElement, a: RunAnalysis) => void][] = [
  ['curves', 'How it learned', (el, a) => renderCurves(el, a.history)],
  ['confusion', 'Confusion matrix', (el, a) => renderConfusion(el, a, { normalised: a.classes.length <= 15 })],
  ['top-confusions', 'Most frequent confusions', (el, a) => renderTopConfusions(el, a)],
  ['per-class', 'Per class', (el, a) => renderPerClass(el, a)],
  ['validation', 'On validation', (el, a) => renderValidationErrors(el, a)],
  ['errors', 'Errors', (el, a) => renderErrors(el, a)],
  ['feature-maps', 'What the filters see', (el, a) => renderFeatureMaps(el, a)],
];

/** The whole report of one run: summary, then one section per view. */
export function renderReport(el: HTMLElement, a: RunAnalysis): void {
  prepare(el, 'ck-report');
  const header = h('header', {}, h('h1', {}, `convkit report: ${a.run}`));
  const summary = h('div');
  // An ensemble has no training curves nor filters of its own: its members' reports show them.
  const sections = a.ensemble ? SECTIONS.filter(([id]) => id !== 'curves' && id !== 'feature-maps') : SECTIONS;
  header.append(summary, h('nav', {}, ...sections.map(([id, title]) => h('a', { href: `#${id}` }, title))));
  el.append(header);
  renderSummary(summary, a);
  for (const [id, title, draw] of sections) {
    const body = h('div');
    el.append(h('section', { id }, h('h2', {}, title), body));
    draw(body, a);
  }
  el.append(h('footer', { class: 'ck-muted', style: 'margin-top:30px' }, `convkit ${a.convkit_version} · analysed ${a.created}`));
}

/** The comparison page of several runs; a batch's page also has its accuracy against training-set size. */
export function renderCompareReport(el: HTMLElement, data: CompareRun[] | { runs: CompareRun[]; scaling?: ScalingChart[] }): void {
  const { runs, scaling } = Array.isArray(data) ? { runs: data, scaling: undefined } : data;
  prepare(el, 'ck-report');
  el.append(h('header', {}, h('h1', {}, `convkit comparison of ${runs.length} runs`)));
  const body = h('div');
  el.append(body);
  renderCompare(body, runs, { scaling });
}
