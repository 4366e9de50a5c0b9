// Pure (no Node, no DOM): used by analyseRun and by the browser views for live histories.
import type { BestValue, HistoryRow, RunHistory } from './analysis-types.js';

const SKIP = new Set(['epoch', 'seconds', 'images_per_s']);

/** Losses are minimised, everything else (accuracies) maximised; the learning rate has no "best". */
export function metricMode(metric: string): 'min' | 'max' | null {
  if (metric === 'lr' || SKIP.has(metric)) return null;
  return /loss/.test(metric) ? 'min' : 'max';
}

/** Best value and epoch of every metric logged (the first epoch reaching it, like Keras's monitors). */
export function summariseHistory(epochs: HistoryRow[]): RunHistory {
  const best: Record<string, BestValue> = {};
  for (const row of epochs) {
    for (const [k, v] of Object.entries(row)) {
      const mode = metricMode(k);
      if (!mode || typeof v !== 'number' || !Number.isFinite(v)) continue;
      const b = best[k];
      if (!b || (mode === 'max' ? v > b.value : v < b.value)) best[k] = { value: v, epoch: row.epoch, mode };
    }
  }
  return { epochs, best };
}
