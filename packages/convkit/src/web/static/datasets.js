// Datasets: the GTSRB analysis reports (`convkit analyse gtsrb ROOT --out RUNS/...`) found under the runs folder.
import { api, app, el, num } from './common.js';

async function main() {
  const { datasets } = await api('/api/datasets');
  app.replaceChildren(
    el('h1', {}, 'Datasets'),
    datasets.length
      ? el('ul', { id: 'datasets' }, ...datasets.map((d) => el('li', {}, el('a', { href: `/runs/${d.id.split('/').map(encodeURIComponent).join('/')}/report.html` }, `GTSRB analysis: ${d.id}`), d.counts ? ` — ${num(d.counts.train)} training, ${num(d.counts.test)} test images, ${d.counts.classes} classes (${d.root})` : '')))
      : el('p.muted', {}, 'No dataset analysis under the runs folder yet.'),
    el('p', {}, 'Write one where the dashboard finds it: ', el('code', {}, 'convkit analyse gtsrb GTSRB_ROOT --out RUNS/gtsrb-analysis'), ' (class counts, image sizes, samples and meta signs; it appears here within seconds).'),
  );
  document.body.dataset.ready = '1';
}
main().catch((e) => app.replaceChildren(el('p.error', {}, String(e.message ?? e))));
