/** The dashboard's pages: one HTML shell each, drawn in the browser by web/browser/<page>.ts (bundled, /static/<page>.js). */
export const PAGES = {
  runs: 'Runs',
  run: 'Run',
  compare: 'Compare',
  maths: 'The maths, demystified',
  descent: 'Gradient descent',
  datasets: 'Datasets',
} as const;
export type PageName = keyof typeof PAGES;
/** The run page's try-it panel (tfjs in the page): web/browser/try-it.ts, /static/try-it.js, loaded when the panel opens. */
export const TRY_IT_BUNDLE = 'try-it';

const NAV: PageName[] = ['runs', 'compare', 'maths', 'descent', 'datasets'];

/** The per-server token rides in a meta tag: only a page served by us (same origin) can read it to POST. */
export function pageHtml(page: PageName, token: string): string {
  const nav = NAV.map((p) => `<a href="/${p === 'runs' ? '' : p}"${p === page ? ' class="here"' : ''}>${PAGES[p]}</a>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="convkit-token" content="${token}">
<title>convkit · ${PAGES[page]}</title>
<link rel="stylesheet" href="/static/uPlot.min.css">
<link rel="stylesheet" href="/static/app.css">
</head>
<body data-page="${page}">
<header><span class="brand">convkit</span><nav>${nav}</nav></header>
<main id="app"><p class="muted">Loading…</p></main>
<script defer src="/static/${page}.js"></script>
</body>
</html>
`;
}
