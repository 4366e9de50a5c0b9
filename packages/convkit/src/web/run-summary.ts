import path from 'node:path';
import { readRunConfigOrNull } from '../run/config.js';
import { bestEpoch, readRunMetrics } from '../run/metrics.js';
import { readRunResultOrNull } from '../run/result.js';
import { effectiveState, readRunStatus } from '../run/status.js';
import type { DisplayState, RunSummary } from './api-types.js';

export type { DisplayState, RunSummary } from './api-types.js';

/** What the list shows of a run whose files cannot be read or summarised. */
export function brokenRun(root: string, dir: string, reason: string): RunSummary {
  const id = path.relative(root, dir).split(path.sep).join('/');
  const group = id.includes('/') ? id.slice(0, id.lastIndexOf('/')) : '';
  return { id, group, state: 'failed', note: `unreadable: ${reason}`, epoch: 0, metricsCount: 0, hyper: {}, broken: reason };
}

/** JSON text of a config value, or a placeholder when it cannot be written (nested too deep, a cycle). */
function jsonOrPlaceholder(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return '(too deep to show)';
  }
}

const HYPER_KEYS = ['optimizer', 'lr', 'batchSize', 'epochs', 'stepsPerEpoch', 'seed', 'validation', 'limitTrain', 'earlyStop', 'reduceLr', 'augment', 'backend'];

export async function summariseRun(root: string, dir: string): Promise<RunSummary> {
  const [config, status, result, metrics] = await Promise.all([readRunConfigOrNull(dir), readRunStatus(dir), readRunResultOrNull(dir), readRunMetrics(dir)]);
  const id = path.relative(root, dir).split(path.sep).join('/');
  const group = id.includes('/') ? id.slice(0, id.lastIndexOf('/')) : '';
  let state: DisplayState = 'pending';
  let note: string | undefined;
  if (status) {
    const eff = effectiveState(status);
    state = eff === 'killed' ? 'interrupted' : eff;
    note = eff === 'killed' ? 'killed (process gone; resumable)' : status.message;
  } else if (result) state = 'completed';
  const best = bestEpoch(metrics);
  const seconds = metrics.reduce((s, m) => s + (m.seconds ?? 0), 0);
  const imgs = metrics.reduce((s, m) => s + (m.images_per_s ?? 0) * (m.seconds ?? 0), 0);
  const hyper: RunSummary['hyper'] = {};
  for (const k of HYPER_KEYS) {
    const v = config?.[k];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') hyper[k] = v;
    else if (v !== undefined && v !== null) hyper[k] = jsonOrPlaceholder(v);
  }
  return {
    id,
    group,
    state,
    note,
    model: config?.model ?? result?.model,
    dataset: config?.dataset?.name ?? config?.data ?? result?.data,
    data: config?.data ?? result?.data,
    epoch: status?.epoch ?? metrics.at(-1)?.epoch ?? 0,
    epochs: status?.epochs ?? config?.epochs,
    batch: status?.batch,
    batches: status?.batches,
    bestValAccuracy: best?.val_accuracy,
    bestEpoch: best?.epoch,
    testAccuracy: result?.test_accuracy,
    trainCount: result?.train_count ?? config?.dataset?.trainCount,
    durationS: result?.duration_s ?? (metrics.length ? seconds : undefined),
    imagesPerS: result?.images_per_s ?? (seconds > 0 ? imgs / seconds : undefined),
    started: status?.started ?? config?.created,
    updated: status?.updated,
    metricsCount: metrics.length,
    hyper,
  };
}
