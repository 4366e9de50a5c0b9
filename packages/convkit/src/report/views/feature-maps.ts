import type { RunAnalysis } from '../analysis-types.js';
import { classLabel, h, prepare } from './dom.js';

/**
 * What the filters see: for each chosen test image, the output of every conv / activation / pool layer, its
 * channels tiled in one grid (each channel scaled to its own range), drawn with square pixels.
 */
export function renderFeatureMaps(el: HTMLElement, a: Pick<RunAnalysis, 'featureMaps' | 'classes'>, opts: { scale?: number } = {}): void {
  prepare(el, 'ck-feature-maps');
  if (!a.featureMaps.length) {
    el.append(h('p', { class: 'ck-muted' }, 'No feature maps (the model has no conv, activation or pooling layer).'));
    return;
  }
  for (const s of a.featureMaps) {
    const ok = s.predicted === s.true;
    const box = h('div', { class: 'ck-fm-sample', 'data-index': s.index },
      h('div', { class: 'ck-fm-head' },
        h('img', { src: s.image, alt: `test image ${s.index}` }),
        h('div', {},
          h('div', {}, `test image #${s.index}: true ${classLabel(a.classes, s.true)}`),
          h('div', { style: `color:${ok ? '#2e7d32' : '#c62828'}` }, `predicted ${classLabel(a.classes, s.predicted)}`),
        ),
      ),
    );
    const layers = h('div', { class: 'ck-fm-layers' });
    for (const l of s.layers) {
      const gridW = l.cols * (l.width + l.gap) - l.gap;
      // Small maps are magnified more, so that every layer's grid is readable at about the same size.
      const scale = opts.scale ?? Math.max(1, Math.min(8, 340 / gridW));
      const shownW = Math.round(gridW * scale);
      layers.append(
        h('figure', { class: 'ck-fm-layer', 'data-layer': l.name, 'data-activation': l.activation, style: `width:${shownW}px` },
          h('figcaption', {}, h('b', {}, l.name), ` ${l.className}${l.activation ? (l.activation === 'linear' ? ' before activation' : ` + ${l.activation}`) : ''} ${l.height}×${l.width}×${l.channels}${l.shown < l.channels ? ` (first ${l.shown})` : ''}`),
          h('img', { src: l.image, alt: `${l.name} feature maps`, width: shownW }),
        ),
      );
    }
    box.append(layers);
    el.append(box);
  }
}
