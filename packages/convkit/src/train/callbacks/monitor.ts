import { ConvkitError } from '../../util/errors.js';
import { metricMode } from '../../run/metrics.js';
import type { EpochLogs } from './callback.js';

export type MonitorMode = 'auto' | 'min' | 'max';

/** Keras's 'auto' mode: accuracy-like names (and AUC) improve upwards, everything else (losses, errors) downwards. */
export function resolveMode(metric: string, mode: MonitorMode = 'auto'): 'min' | 'max' {
  return mode !== 'auto' ? mode : metricMode(metric);
}

export interface MonitorState {
  best: number | null;
  bestEpoch: number | null;
  /** Epochs since the last improvement (Keras's `wait`). */
  wait: number;
}

/**
 * "Watch one metric, min or max, remember the best so far, count epochs without improvement" —
 * the logic shared by ModelCheckpoint, EarlyStopping and ReduceLROnPlateau, as Keras's MonitorCallback.
 */
export class Monitor {
  readonly mode: 'min' | 'max';
  readonly minDelta: number;
  best: number | null = null;
  bestEpoch: number | null = null;
  wait = 0;

  constructor(
    readonly metric: string,
    opts: { mode?: MonitorMode; minDelta?: number } = {},
  ) {
    this.mode = resolveMode(metric, opts.mode);
    this.minDelta = Math.abs(opts.minDelta ?? 0);
  }

  /** The monitored value in `logs`; a clear error when the metric is not logged at all. */
  value(logs: EpochLogs): number {
    const v = logs[this.metric];
    if (v === undefined) {
      const known = Object.keys(logs).filter((k) => k !== 'epoch' && k !== 'seconds' && k !== 'images_per_s');
      throw new ConvkitError(`monitored metric "${this.metric}" is not logged (available: ${known.join(', ')})`);
    }
    return v;
  }

  /** True when `v` beats the best so far by more than minDelta (NaN never improves). */
  isImprovement(v: number): boolean {
    if (Number.isNaN(v)) return false;
    if (this.best === null) return true;
    return this.mode === 'max' ? v - this.minDelta > this.best : v + this.minDelta < this.best;
  }

  /** Records epoch `epoch`'s value; returns whether it improved (and resets or bumps `wait`). */
  update(epoch: number, logs: EpochLogs): boolean {
    const v = this.value(logs);
    if (this.isImprovement(v)) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      return true;
    }
    this.wait++;
    return false;
  }

  getState(): MonitorState {
    return { best: this.best, bestEpoch: this.bestEpoch, wait: this.wait };
  }

  setState(s: MonitorState): void {
    this.best = s.best;
    this.bestEpoch = s.bestEpoch;
    this.wait = s.wait;
  }
}
