import { bestEpoch, readRunMetrics } from '../run/metrics.js';
import { readRunResult } from '../run/result.js';
import { table } from '../util/term.js';

export interface RunSummary {
  run: string;
  model: string;
  data: string;
  backend: string;
  epochs: number;
  test_accuracy: number;
  test_loss: number;
  duration_s: number;
  images_per_s: number;
  best_val_accuracy?: number;
}

/** Reads the result (and the metrics, for the best validation accuracy) of each finished run. */
export async function summariseRuns(dirs: string[]): Promise<RunSummary[]> {
  const out: RunSummary[] = [];
  for (const dir of dirs) {
    const r = await readRunResult(dir);
    // the metrics are optional for a comparison
    const best = bestEpoch(await readRunMetrics(dir))?.val_accuracy;
    out.push({ run: dir, model: r.model, data: r.data, backend: r.backend, epochs: r.epochs, test_accuracy: r.test_accuracy, test_loss: r.test_loss, duration_s: r.duration_s, images_per_s: r.images_per_s, best_val_accuracy: best });
  }
  return out;
}

const pct = (v: number | undefined) => (v === undefined ? '-' : `${(v * 100).toFixed(2)} %`);

function rows(runs: RunSummary[]): string[][] {
  return runs.map((r) => [r.model, r.data, pct(r.test_accuracy), r.test_loss.toFixed(4), pct(r.best_val_accuracy), String(r.epochs), `${r.duration_s.toFixed(1)} s`, String(Math.round(r.images_per_s)), r.backend]);
}

const HEADER = ['model', 'data', 'test accuracy', 'test loss', 'best val acc', 'epochs', 'training time', 'img/s', 'backend'];

export function comparisonTable(runs: RunSummary[]): string {
  return table(HEADER, rows(runs), ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l']);
}

export function comparisonMarkdown(runs: RunSummary[], title = 'convkit comparison'): string {
  const lines = [`# ${title}`, '', `| ${HEADER.join(' | ')} |`, `|${HEADER.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const r of rows(runs)) lines.push(`| ${r.join(' | ')} |`);
  lines.push('', `Runs: ${runs.map((r) => `\`${r.run}\``).join(', ')}. Written ${new Date().toISOString()}.`, '');
  return lines.join('\n');
}
