import os from 'node:os';
import { writeJsonAtomic } from '../../util/atomic.js';
import { readJsonOrNull } from '../../util/json-files.js';
import type { Callback, EpochLogs, TrainingContext } from './callback.js';

export type RunState = 'running' | 'completed' | 'failed' | 'interrupted';

/** status.json of a run folder: what the dashboard and the batch runner poll. */
export interface RunStatus {
  state: RunState;
  pid: number;
  /** Host of `pid` (a pid means nothing on another machine). */
  host: string;
  epoch: number;
  epochs: number;
  /** Batches done in the epoch in progress. */
  batch: number;
  batches: number;
  started: string;
  updated: string;
  message?: string;
  resumedFrom?: { epoch: number; batch: number };
  /** Metrics of the last finished epoch. */
  last?: EpochLogs;
}

/** status.json, or null when it is missing or torn. */
export function readStatus(file: string): Promise<RunStatus | null> {
  return readJsonOrNull<RunStatus>(file);
}

/**
 * The state to show: a run still marked `running` whose process is gone on this host was killed
 * (SIGKILL, crash, power loss) and can be resumed with `convkit train --resume`.
 */
export function effectiveState(status: RunStatus): RunState | 'killed' {
  if (status.state !== 'running' || status.host !== os.hostname()) return status.state;
  try {
    process.kill(status.pid, 0);
    return 'running';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? 'running' : 'killed';
  }
}

/**
 * Keeps status.json current (atomic writes): at start, after each epoch, at most every `intervalMs` during an epoch,
 * and at the end through `finish` (which the run calls — it alone knows whether it completed, failed or was interrupted).
 */
export class StatusFile implements Callback {
  readonly status: RunStatus;
  private lastWrite = 0;

  constructor(
    readonly file: string,
    opts: { epochs: number; resumedFrom?: { epoch: number; batch: number }; intervalMs?: number },
  ) {
    const now = new Date().toISOString();
    this.status = { state: 'running', pid: process.pid, host: os.hostname(), epoch: opts.resumedFrom?.epoch ?? 0, epochs: opts.epochs, batch: opts.resumedFrom?.batch ?? 0, batches: 0, started: now, updated: now };
    if (opts.resumedFrom) this.status.resumedFrom = opts.resumedFrom;
    this.intervalMs = opts.intervalMs ?? 2000;
  }
  private readonly intervalMs: number;

  async write(patch: Partial<RunStatus> = {}): Promise<void> {
    Object.assign(this.status, patch, { updated: new Date().toISOString() });
    this.lastWrite = Date.now();
    await writeJsonAtomic(this.file, this.status);
  }

  async onTrainBegin(ctx: TrainingContext): Promise<void> {
    await this.write({ state: 'running', batches: ctx.stepsPerEpoch });
  }

  async onBatchEnd(epoch: number, _logs: unknown, ctx: TrainingContext): Promise<void> {
    this.status.epoch = epoch;
    this.status.batch = (ctx.batchInEpoch as number) ?? 0;
    if (Date.now() - this.lastWrite >= this.intervalMs) await this.write();
  }

  async onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext): Promise<void> {
    await this.write({ epoch, batch: ctx.stepsPerEpoch, last: logs });
  }

  async finish(state: Exclude<RunState, 'running'>, message?: string): Promise<void> {
    await this.write({ state, message });
  }
}
