import type { RunAnalysis } from '../analysis-types.js';
import { classLabel, className, h, prepare } from './dom.js';
import { pct } from './format.js';

/**
 * The most confident mistakes, Fidle-style: each test image labelled "pred (true)" in red, the pictograms of the
 * predicted and true classes beside it when the analysis has them, and the top-k probabilities.
 * Cards carry data-index, data-true and data-pred.
 */
export function renderErrors(el: HTMLElement, a: Pick<RunAnalysis, 'errors' | 'classes' | 'test'>, opts: { limit?: number } = {}): void {
  prepare(el, 'ck-errors');
  const shown = a.errors.worst.slice(0, opts.limit ?? a.errors.worst.length);
  el.append(h('p', { class: 'ck-muted' }, `${a.errors.count} of ${a.test.count} test images misclassified; the ${shown.length} most confident mistakes first. Label: predicted (true).`));
  const gallery = h('div', { class: 'ck-gallery' });
  el.append(gallery);
  for (const e of shown) {
    const predSign = a.classes?.[e.predicted]?.image;
    const trueSign = a.classes?.[e.true]?.image;
    gallery.append(
      h('div', { class: 'ck-error', 'data-index': e.index, 'data-true': e.true, 'data-pred': e.predicted },
        h('img', { class: 'ck-img', src: e.image, alt: `test image ${e.index}`, title: `test image #${e.index}` }),
        h('div', { class: 'ck-label' }, `${e.predicted} (${e.true})`),
        className(a.classes, e.predicted) !== String(e.predicted) ? h('div', { class: 'ck-name', title: `predicted ${className(a.classes, e.predicted)}, true ${className(a.classes, e.true)}` }, className(a.classes, e.predicted)) : null,
        predSign || trueSign
          ? h('div', { class: 'ck-signs' },
              predSign ? h('figure', {}, h('img', { class: 'ck-sign-bad', src: predSign, alt: 'predicted class sign' }), 'predicted') : null,
              trueSign ? h('figure', {}, h('img', { class: 'ck-sign-ok', src: trueSign, alt: 'true class sign' }), 'true') : null,
            )
          : null,
        h('div', { class: 'ck-top', title: 'top classes' }, ...e.top.map((t) => h('div', { title: className(a.classes, t.class) }, h('span', {}, classLabel(a.classes, t.class)), h('span', {}, pct(t.probability, 1))))),
      ),
    );
  }
}
