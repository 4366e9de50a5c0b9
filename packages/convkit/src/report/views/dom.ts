import uplotCss from 'uplot/dist/uPlot.min.css';
import type { ClassInfo, RunAnalysis } from '../analysis-types.js';
import { VIEWS_CSS } from './style.js';

export type Child = Node | string | number | null | undefined | false;
/** Attribute values; a function under an `on…` key (`onclick`, `oninput`) is added as that event's listener. */
export type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

/**
 * Creates an element with attributes (`class`, `data-*`, `style`, …), event listeners (`onclick: fn`) and
 * children. The one DOM helper of the report's views and the dashboard's pages.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') e.addEventListener(k.replace(/^on/, ''), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

/** Empties `el` and makes sure the views' stylesheet (uPlot's and ours) is in the document, once. */
export function prepare(el: HTMLElement, cls: string): void {
  if (!document.getElementById('convkit-views-css')) {
    const s = document.createElement('style');
    s.id = 'convkit-views-css';
    s.textContent = uplotCss + '\n' + VIEWS_CSS;
    document.head.append(s);
  }
  // uPlot keeps window listeners until destroyed: a redraw (the dashboard's, every epoch) must not pile them up.
  el.querySelectorAll('.ck-chart').forEach((c) => (c as HTMLElement & { uplot?: { destroy(): void } }).uplot?.destroy());
  el.replaceChildren();
  el.classList.add('ck-view', cls);
}

export function className(classes: ClassInfo[] | undefined, id: number): string {
  return classes?.[id]?.name ?? String(id);
}

/** "14 Stop", or just "7" when a class's name is its id (digits). */
export function classLabel(classes: ClassInfo[] | undefined, id: number): string {
  const name = className(classes, id);
  return name === String(id) ? name : `${id} ${name}`;
}

/** A class's pictogram (GTSRB meta sign) when the analysis has one. */
export function classThumb(a: Pick<RunAnalysis, 'classes'>, id: number, cls = 'ck-thumb'): HTMLImageElement | null {
  const src = a.classes?.[id]?.image;
  return src ? h('img', { class: cls, src, alt: className(a.classes, id), title: `${id}: ${className(a.classes, id)}` }) : null;
}

/**
 * Colours of series and runs (Tableau 10), the one palette of the report and the dashboard: run i of a comparison
 * has the same colour on both.
 */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
export const colour = (i: number): string => PALETTE[i % PALETTE.length];
