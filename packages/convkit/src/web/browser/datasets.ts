// Datasets: the GTSRB analysis reports under the runs folder, and the GTSRB folders the runs were trained from
// (directly or through a `convkit prepare` set) with a button to write their analysis.
import { h } from '../../report/views/dom.js';
import { num } from '../../report/views/format.js';
import { api, app, message, post, runHref } from './common.js';

/** What /api/datasets answers: analysis reports under the runs folder, and the GTSRB folders of the runs. */
interface Datasets {
  datasets: { id: string; root: string; counts?: { train: number; test: number; classes: number } }[];
  audits: { id: string; source: string; kind: string; created: string; counts: { train: number; test: number; leaks: number; labelSuspects: number | null }; html: boolean }[];
  sources: { root: string; runs: string[]; report: string | null; audit?: string }[];
}

const fileHref = (id: string, file: string): string => `/runs/${id.split('/').map(encodeURIComponent).join('/')}/${file}`;
const reportHref = (id: string): string => fileHref(id, 'report.html');
/** `convkit audit --out DIR` writes audit.json and audit.html (audit/options.ts AUDIT_FILE_NAMES). */
const auditHref = (id: string): string => fileHref(id, 'audit.html');

async function main() {
  const { datasets, audits, sources } = await api<Datasets>('/api/datasets');
  const sourceList = h(
    'ul',
    { id: 'sources' },
    ...sources.map((s) =>
      h(
        'li',
        { 'data-root': s.root },
        h('code', {}, s.root),
        ` — ${s.runs.length} run${s.runs.length > 1 ? 's' : ''} (`,
        ...s.runs.slice(0, 5).flatMap((id, i) => [i ? ', ' : '', h('a', { href: runHref(id) }, id)]),
        s.runs.length > 5 ? ', …' : '',
        ') ',
        s.report
          ? h('a', { href: reportHref(s.report), class: 'report' }, 'analysis report')
          : h('button', {
              class: 'analyse',
              onclick: async (e) => {
                const button = e.target as HTMLButtonElement;
                button.disabled = true;
                button.textContent = 'analysing (counts, sizes, samples)…';
                try {
                  const r = await post<{ id: string }>(`/api/datasets/analyse?root=${encodeURIComponent(s.root)}`);
                  button.replaceWith(h('a', { href: reportHref(r.id), class: 'report' }, 'analysis report'));
                } catch (err) {
                  button.textContent = `failed: ${message(err)}`;
                }
              },
            }, 'write its analysis'),
        s.audit ? ' · ' : null,
        s.audit ? h('a', { href: auditHref(s.audit), class: 'audit' }, 'audit') : null,
      ),
    ),
  );
  app.replaceChildren(
    h('h1', {}, 'Datasets'),
    h('h2', {}, 'GTSRB folders of the runs'),
    sources.length ? sourceList : h('p', { class: 'muted' }, 'No run was trained on GTSRB (gtsrb:ROOT, a GTSRB folder or a prepared set).'),
    h('h2', {}, 'Analysis reports under the runs folder'),
    datasets.length
      ? h('ul', { id: 'datasets' }, ...datasets.map((d) => h('li', {}, h('a', { href: reportHref(d.id) }, `GTSRB analysis: ${d.id}`), d.counts ? ` — ${num(d.counts.train)} training, ${num(d.counts.test)} test images, ${d.counts.classes} classes (${d.root})` : '')))
      : h('p', { class: 'muted' }, 'None yet.'),
    h('p', { class: 'muted' }, 'From a shell: ', h('code', {}, 'convkit analyse gtsrb GTSRB_ROOT --out RUNS/datasets/NAME'), ' (class counts, image sizes, samples and meta signs).'),
    h('h2', {}, 'Audits under the runs folder'),
    audits.length
      ? h(
          'ul',
          { id: 'audits' },
          ...audits.map((a) =>
            h(
              'li',
              { 'data-id': a.id },
              a.html ? h('a', { href: auditHref(a.id) }, `audit: ${a.id}`) : h('a', { href: fileHref(a.id, 'audit.json') }, `audit: ${a.id} (JSON)`),
              ` — ${a.source}: ${num(a.counts.train)} training, ${num(a.counts.test)} test images, ${num(a.counts.leaks)} train/test leaks` +
                (a.counts.labelSuspects === null ? '' : `, ${num(a.counts.labelSuspects)} label suspects`),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'None yet.'),
    h('p', { class: 'muted' }, 'From a shell: ', h('code', {}, 'convkit audit gtsrb:GTSRB_ROOT --out RUNS/datasets/NAME'), ' (duplicates and leaks, label suspects, quality, classes: docs/audit.md).'),
  );
  document.body.dataset.ready = '1';
}
main().catch((e) => app.replaceChildren(h('p', { class: 'error' }, message(e))));
