import { weakestOnValidation, type RunAnalysis } from '../analysis-types.js';
import { renderTopConfusions } from './confusion.js';
import { classThumb, className, h, prepare } from './dom.js';
import { pct } from './format.js';

/**
 * Where the scored weights err on the validation split (result.json's val_per_class / val_confusions): the weakest
 * classes and the most frequent confusions, what `convkit train --sampling errors` and `--augment-classes` act on.
 */
export function renderValidationErrors(el: HTMLElement, a: Pick<RunAnalysis, 'validation' | 'classes'>, opts: { limit?: number } = {}): void {
  prepare(el, 'ck-validation-errors');
  const v = a.validation;
  if (!v) {
    el.append(h('p', { class: 'ck-muted' }, 'No validation figures: the run was written before result.json kept them.'));
    return;
  }
  const weakest = weakestOnValidation(v, opts.limit ?? 10);
  const t = h('table', { class: 'ck-table' }, h('tr', {}, h('th', {}, 'class'), h('th', { class: 'ck-left' }, 'name'), h('th', {}, 'validation images'), h('th', {}, 'recall')));
  for (const r of weakest) {
    t.append(h('tr', {}, h('td', {}, r.class), h('td', { class: 'ck-left' }, classThumb(a, r.class), className(a.classes, r.class)), h('td', {}, r.count), h('td', {}, pct(r.recall, 1))));
  }
  const pairs = h('div');
  el.append(h('h3', {}, 'Weakest classes on validation'), t, h('h3', {}, 'Most frequent confusions on validation'), pairs);
  renderTopConfusions(pairs, { topConfusions: v.confusions, classes: a.classes }, { limit: opts.limit ?? 10 });
}
