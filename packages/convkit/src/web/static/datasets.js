// Datasets: the GTSRB analysis reports under the runs folder, and the GTSRB folders the runs were trained from
// (directly or through a `convkit prepare` set) with a button to write their analysis.
import { api, app, el, num, post, runHref } from './common.js';

const reportHref = (id) => `/runs/${id.split('/').map(encodeURIComponent).join('/')}/report.html`;

async function main() {
  const { datasets, sources } = await api('/api/datasets');
  const sourceList = el(
    'ul',
    { id: 'sources' },
    ...sources.map((s) =>
      el(
        'li',
        { 'data-root': s.root },
        el('code', {}, s.root),
        ` — ${s.runs.length} run${s.runs.length > 1 ? 's' : ''} (`,
        ...s.runs.slice(0, 5).flatMap((id, i) => [i ? ', ' : '', el('a', { href: runHref(id) }, id)]),
        s.runs.length > 5 ? ', …' : '',
        ') ',
        s.report
          ? el('a', { href: reportHref(s.report), class: 'report' }, 'analysis report')
          : el('button', {
              class: 'analyse',
              onclick: async (e) => {
                e.target.disabled = true;
                e.target.textContent = 'analysing (counts, sizes, samples)…';
                try {
                  const r = await post(`/api/datasets/analyse?root=${encodeURIComponent(s.root)}`);
                  e.target.replaceWith(el('a', { href: reportHref(r.id), class: 'report' }, 'analysis report'));
                } catch (err) {
                  e.target.textContent = `failed: ${err.message}`;
                }
              },
            }, 'write its analysis'),
      ),
    ),
  );
  app.replaceChildren(
    el('h1', {}, 'Datasets'),
    el('h2', {}, 'GTSRB folders of the runs'),
    sources.length ? sourceList : el('p.muted', {}, 'No run was trained on GTSRB (gtsrb:ROOT, a GTSRB folder or a prepared set).'),
    el('h2', {}, 'Analysis reports under the runs folder'),
    datasets.length
      ? el('ul', { id: 'datasets' }, ...datasets.map((d) => el('li', {}, el('a', { href: reportHref(d.id) }, `GTSRB analysis: ${d.id}`), d.counts ? ` — ${num(d.counts.train)} training, ${num(d.counts.test)} test images, ${d.counts.classes} classes (${d.root})` : '')))
      : el('p.muted', {}, 'None yet.'),
    el('p.muted', {}, 'From a shell: ', el('code', {}, 'convkit analyse gtsrb GTSRB_ROOT --out RUNS/datasets/NAME'), ' (class counts, image sizes, samples and meta signs).'),
  );
  document.body.dataset.ready = '1';
}
main().catch((e) => app.replaceChildren(el('p.error', {}, String(e.message ?? e))));
