import { writeFileAtomic } from '../util/atomic.js';
import type { CompareRun, RunAnalysis } from './analysis-types.js';
import { viewsBundle } from './views-bundle.js';

/** JSON safe inside a <script> element (no "</script>", no "<!--"). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);

/** One self-contained page: the views' bundle (uPlot inside), the data as JSON, and one call drawing it. No network. */
async function page(title: string, call: 'renderReport' | 'renderCompareReport', data: unknown): Promise<string> {
  const bundle = (await viewsBundle()).replace(/<\/script/gi, '<\\/script');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>html, body { margin: 0; background: #fafbfd; }</style>
</head>
<body>
<main id="convkit-report"></main>
<script type="application/json" id="convkit-data">${scriptJson(data)}</script>
<script>${bundle}</script>
<script>
window.convkitData = JSON.parse(document.getElementById('convkit-data').textContent);
window.convkitViews.${call}(document.getElementById('convkit-report'), window.convkitData);
document.body.dataset.ready = 'true';
</script>
</body>
</html>
`;
}

export function reportHtml(a: RunAnalysis): Promise<string> {
  return page(`convkit report: ${a.run}`, 'renderReport', a);
}

export function compareHtml(runs: CompareRun[]): Promise<string> {
  return page(`convkit comparison of ${runs.length} runs`, 'renderCompareReport', runs);
}

/** Writes the report of one run as one HTML file, atomically. */
export async function writeReportHtml(file: string, a: RunAnalysis): Promise<void> {
  await writeFileAtomic(file, await reportHtml(a));
}

export async function writeCompareHtml(file: string, runs: CompareRun[]): Promise<void> {
  await writeFileAtomic(file, await compareHtml(runs));
}
