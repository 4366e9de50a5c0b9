import { h, prepare, type Child } from '../../report/views/dom.js';
import { duration, num, pct } from '../../report/views/format.js';
import { PAGE_LIMITS, thumbKey, type AuditImage, type AuditPageData, type AuditSplitName, type QualityCheck } from '../audit-types.js';

const AUDIT_CSS = `
.ck-audit { max-width: 1280px; margin: 0 auto; padding: 16px 20px 40px; background: #fafbfd; }
.ck-audit > header h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; }
.ck-audit nav a { margin-right: 14px; color: #2f5fa7; text-decoration: none; }
.ck-audit section { margin-top: 26px; }
.ck-audit section > h2 { font-size: 18px; border-bottom: 1px solid #e3e6ee; padding-bottom: 4px; }
.ck-audit .ck-figures { display: flex; flex-wrap: wrap; gap: 8px 22px; margin: 6px 0 10px; }
.ck-audit .ck-figures b { font-size: 18px; display: block; }
.ck-audit .ck-card { width: 150px; border: 1px solid #e3e6ee; border-radius: 6px; padding: 6px; background: #fff; font-size: 11px; color: #4a5263; }
.ck-audit .ck-card.ck-pair { width: 176px; }
.ck-audit .ck-card .ck-imgs { display: flex; justify-content: center; gap: 4px; }
.ck-audit .ck-card img { width: 72px; height: 72px; image-rendering: pixelated; display: block; border-radius: 3px; background: #222; }
.ck-audit .ck-card .ck-head { font-weight: 600; font-size: 12px; color: #1d2330; text-align: center; margin: 3px 0; }
.ck-audit .ck-card.ck-leak .ck-head, .ck-audit .ck-card .ck-bad { color: #c62828; }
.ck-audit .ck-card .ck-file { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.ck-audit .ck-check { margin-bottom: 18px; }
.ck-audit .ck-more { margin-top: 6px; }
`;

const base = (file: string): string => file.split(/[\\/]/).slice(-2).join('/');

function thumb(d: AuditPageData, split: AuditSplitName, index: number, title: string): HTMLElement {
  const src = d.thumbs[thumbKey(split, index)];
  return src ? h('img', { src, alt: title, title }) : h('div', { class: 'ck-muted', title }, '(no thumbnail)');
}

function className(d: AuditPageData, id: number): string {
  const name = d.classNames[id];
  return name && name !== String(id) ? `${id} ${name}` : String(id);
}

function figure(value: Child, label: string, attrs: Record<string, string> = {}): HTMLElement {
  return h('div', attrs, h('b', {}, value), h('span', { class: 'ck-muted' }, label));
}

function more(shown: number, total: number, what: string): HTMLElement | null {
  return total > shown ? h('p', { class: 'ck-muted ck-more' }, `${num(shown)} of ${num(total)} ${what} shown; audit.json lists ${what === 'pairs' ? 'more' : 'them all'}.`) : null;
}

function duplicatesSection(d: AuditPageData, limit: number): HTMLElement {
  const s = d.report.duplicate_search;
  const pairs = d.report.duplicates;
  const total = s.counts.leak + s.counts.train + s.counts.test;
  return h(
    'section',
    { id: 'duplicates' },
    h('h2', {}, 'Duplicates and leaks'),
    h(
      'div',
      { class: 'ck-figures' },
      figure(num(s.counts.leak), 'train/test pairs (leaks)', { 'data-count': 'leak' }),
      figure(num(s.counts.train), 'pairs within train', { 'data-count': 'train' }),
      figure(num(s.counts.test), 'pairs within test', { 'data-count': 'test' }),
      figure(num(s.counts.exact), 'of them exact (same pixels)', { 'data-count': 'exact' }),
      s.tracks ? figure(num(s.tracks.pairs), `same-track pairs in ${num(s.tracks.tracks_with_pairs)} of ${num(s.tracks.tracks)} GTSRB tracks (expected)`, { 'data-count': 'track' }) : null,
    ),
    h('p', { class: 'ck-muted' }, `${s.method}. Near-duplicate: hashes at most ${s.threshold} of ${s.bits} bits apart. ${duration(s.seconds)}.`),
    pairs.length
      ? h(
          'div',
          { class: 'ck-gallery' },
          ...pairs.slice(0, limit).map((p) =>
            h(
              'div',
              { class: `ck-card ck-pair ck-${p.kind}`, 'data-kind': p.kind, 'data-exact': String(p.exact) },
              h('div', { class: 'ck-imgs' }, thumb(d, p.splits[0], p.indices[0], p.files[0]), thumb(d, p.splits[1], p.indices[1], p.files[1])),
              h('div', { class: 'ck-head' }, `${p.kind === 'leak' ? 'leak' : `within ${p.kind}`} · ${p.exact ? 'exact' : `${p.distance} bits`}`),
              h('div', { class: p.classes[0] !== p.classes[1] ? 'ck-bad' : '' }, `classes ${p.classes[0]} / ${p.classes[1]}`),
              ...p.files.map((f, k) => h('div', { class: 'ck-file', title: f }, f.startsWith(`${p.splits[k]} index`) ? f : `${p.splits[k]}: ${base(f)}`)),
            ),
          ),
        )
      : h('p', {}, 'No duplicate found.'),
    more(Math.min(limit, pairs.length), total, 'pairs'),
  );
}

function suspectsSection(d: AuditPageData, limit: number): HTMLElement {
  const r = d.report;
  const search = r.label_search;
  if (!search) return h('section', { id: 'label-suspects' }, h('h2', {}, 'Label suspects'), h('p', { class: 'ck-muted' }, 'Not searched (--folds 0).'));
  return h(
    'section',
    { id: 'label-suspects' },
    h('h2', {}, 'Label suspects'),
    h('p', { class: 'ck-muted' }, `Confident learning on out-of-fold probabilities: ${search.folds} folds ${search.by_group ? 'by GTSRB track' : 'by image'}, model ${search.model}, ${search.epochs} epochs each, ${duration(search.seconds)}. ${num(r.label_suspects.length)} suspects, most suspect first.`),
    h(
      'div',
      { class: 'ck-gallery' },
      ...r.label_suspects.slice(0, limit).map((s, rank) =>
        h(
          'div',
          { class: 'ck-card ck-suspect', 'data-index': s.index, 'data-given': s.given, 'data-suggested': s.suggested },
          h('div', { class: 'ck-imgs' }, thumb(d, 'train', s.index, s.file)),
          h('div', { class: 'ck-head' }, `#${rank + 1} · score ${s.score.toFixed(3)}`),
          h('div', { class: 'ck-bad' }, `given ${className(d, s.given)}`),
          h('div', {}, `suggested ${className(d, s.suggested)}`),
          h('div', { class: 'ck-file', title: s.file }, base(s.file)),
        ),
      ),
    ),
    more(Math.min(limit, r.label_suspects.length), r.label_suspects.length, 'suspects'),
  );
}

const CHECKS: { key: 'dark' | 'low_contrast' | 'blurred' | 'tiny'; title: string; digits: number }[] = [
  { key: 'dark', title: 'Dark', digits: 3 },
  { key: 'low_contrast', title: 'Low contrast', digits: 3 },
  { key: 'blurred', title: 'Blurred', digits: 2 },
  { key: 'tiny', title: 'Tiny', digits: 0 },
];

function checkView(d: AuditPageData, title: string, c: QualityCheck, digits: number, limit: number): HTMLElement {
  const card = (im: AuditImage & { value: number }) =>
    h(
      'div',
      { class: 'ck-card ck-flagged', 'data-split': im.split, 'data-index': im.index },
      h('div', { class: 'ck-imgs' }, thumb(d, im.split, im.index, im.file)),
      h('div', { class: 'ck-head' }, im.value.toFixed(digits)),
      h('div', {}, `${im.split} · class ${im.class}`),
      h('div', { class: 'ck-file', title: im.file }, base(im.file)),
    );
  return h(
    'div',
    { class: 'ck-check', 'data-check': title },
    h('h3', {}, `${title}: ${c.skipped ? 'not checked' : `${num(c.images.length)} of ${num(c.measured)} images (${pct(c.images.length / Math.max(1, c.measured), 1)})`}`),
    c.skipped
      ? h('p', { class: 'ck-muted' }, `${c.measure} — ${c.skipped}.`)
      : h('p', { class: 'ck-muted' }, `${c.measure}; median ${c.median!.toFixed(digits + 1)}, threshold ${c.threshold!.toFixed(digits + 1)} (${c.rule}). Worst first:`),
    c.images.length ? h('div', { class: 'ck-gallery' }, ...c.images.slice(0, limit).map(card)) : null,
    more(Math.min(limit, c.images.length), c.images.length, 'images'),
  );
}

function qualitySection(d: AuditPageData, limit: number): HTMLElement {
  const q = d.report.quality;
  return h('section', { id: 'quality' }, h('h2', {}, 'Quality'), ...CHECKS.map((c) => checkView(d, c.title, q[c.key], c.digits, limit)));
}

function classesSection(d: AuditPageData): HTMLElement {
  const c = d.report.classes;
  const max = Math.max(1, ...c.counts.map((k) => k.train));
  const i = c.imbalance;
  return h(
    'section',
    { id: 'classes' },
    h('h2', {}, 'Classes'),
    h(
      'p',
      {},
      `Largest class ${className(d, i.largest.id)} (${num(i.largest.count)} training images), smallest ${className(d, i.smallest.id)} (${num(i.smallest.count)}): ratio ${i.ratio.toFixed(1)}; ` +
        `normalised entropy ${i.normalised_entropy.toFixed(3)} (1 = balanced)` +
        (i.empty.length ? `; no training image in class${i.empty.length > 1 ? 'es' : ''} ${i.empty.join(', ')}` : '') +
        '.',
    ),
    h(
      'table',
      { class: 'ck-table', id: 'class-counts' },
      h('thead', {}, h('tr', {}, h('th', {}, 'id'), h('th', { class: 'ck-left' }, 'class'), h('th', { class: 'ck-left' }, 'train'), h('th', {}, 'test'))),
      h(
        'tbody',
        {},
        ...c.counts.map((k) =>
          h(
            'tr',
            { 'data-class': k.id },
            h('td', {}, k.id),
            h('td', { class: 'ck-left' }, k.name),
            h('td', { class: 'ck-left' }, num(k.train), h('span', { class: 'ck-bar', style: `width:${Math.round((160 * k.train) / max)}px` })),
            h('td', {}, num(k.test)),
          ),
        ),
      ),
    ),
  );
}

/** The whole audit page: header, duplicates and leaks, label suspects, quality, classes. */
export function renderAudit(el: HTMLElement, d: AuditPageData): void {
  prepare(el, 'ck-audit');
  if (!document.getElementById('convkit-audit-css')) document.head.append(h('style', { id: 'convkit-audit-css' }, AUDIT_CSS));
  const r = d.report;
  el.append(
    h(
      'header',
      {},
      h('h1', {}, `Audit of ${r.data.source}`),
      h(
        'p',
        { class: 'ck-muted' },
        `${r.data.kind}: ${num(r.data.train)} training and ${num(r.data.test)} test images${r.data.test_source ? ` (test set from ${r.data.test_source})` : ''}, analysed at ${r.data.height}×${r.data.width}×${r.data.channels}, ` +
          `${r.data.numClasses} classes${r.data.tracks ? ', GTSRB tracks known' : ''}. ${r.created.slice(0, 19).replace('T', ' ')} UTC, convkit ${r.convkit_version}, ${duration(r.seconds.total)} (reading ${duration(r.seconds.load)}).`,
      ),
      h('nav', {}, h('a', { href: '#duplicates' }, 'Duplicates'), h('a', { href: '#label-suspects' }, 'Label suspects'), h('a', { href: '#quality' }, 'Quality'), h('a', { href: '#classes' }, 'Classes')),
    ),
    duplicatesSection(d, PAGE_LIMITS.pairs),
    suspectsSection(d, PAGE_LIMITS.suspects),
    qualitySection(d, PAGE_LIMITS.quality),
    classesSection(d),
  );
}
