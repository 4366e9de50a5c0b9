import os from 'node:os';
import { writeStatus, type RunState, type RunStatus } from '../../run/status.js';
import type { Callback, EpochLogs, TrainingContext } from './callback.js';

/**
 * Keeps the run's status file current (atomic writes): at start, after each epoch, at most every `intervalMs` during an epoch,
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
    await writeStatus(this.file, this.status);
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
