import { writeFileAtomic } from '../util/atomic.js';
import type { CompareRun, RunAnalysis } from './analysis-types.js';
import type { ScalingChart } from './scaling.js';
import { viewsBundle } from './views-bundle.js';

/** JSON safe inside a <script> element (no "</script>", no "<!--"). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);

/**
 * One self-contained page: a bundled script (`script`, e.g. the views' with uPlot inside), the data as JSON, and one
 * call drawing it (`draw`, the global function the script defines, as `convkitViews.renderReport`). No network.
 */
export function selfContainedPage(title: string, script: string, draw: string, data: unknown): string {
  const bundle = script.replace(/<\/script/gi, '<\\/script');
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
window.${draw}(document.getElementById('convkit-report'), window.convkitData);
document.body.dataset.ready = 'true';
</script>
</body>
</html>
`;
}

export async function reportHtml(a: RunAnalysis): Promise<string> {
  return selfContainedPage(`convkit report: ${a.run}`, await viewsBundle(), 'convkitViews.renderReport', a);
}

/** The comparison page; `scaling`: a batch's accuracy against training-set size (drawn when there is a chart). */
export async function compareHtml(runs: CompareRun[], scaling: ScalingChart[] = []): Promise<string> {
  return selfContainedPage(`convkit comparison of ${runs.length} runs`, await viewsBundle(), 'convkitViews.renderCompareReport', scaling.length ? { runs, scaling } : runs);
}

/** Writes the report of one run as one HTML file, atomically. */
export async function writeReportHtml(file: string, a: RunAnalysis): Promise<void> {
  await writeFileAtomic(file, await reportHtml(a));
}

export async function writeCompareHtml(file: string, runs: CompareRun[], scaling: ScalingChart[] = []): Promise<void> {
  await writeFileAtomic(file, await compareHtml(runs, scaling));
}
