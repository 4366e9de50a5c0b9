import { appendMetrics, type EpochLogs } from '../../run/metrics.js';
import type { Callback } from './callback.js';

/** Appends one JSON line per epoch to the run's metrics file and flushes it, so a crash loses at most the current epoch. */
export class MetricsLog implements Callback {
  constructor(readonly file: string) {}

  async onEpochEnd(_epoch: number, logs: EpochLogs): Promise<void> {
    await appendMetrics(this.file, logs);
  }
}
