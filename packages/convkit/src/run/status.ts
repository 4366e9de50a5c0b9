import os from 'node:os';
import { writeJsonAtomic } from '../util/atomic.js';
import { readJsonOrNull } from '../util/json-files.js';
import { runFiles } from './layout.js';
import type { EpochLogs } from './metrics.js';

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

/** A status.json file, or null when it is missing or torn. */
export function readStatus(file: string): Promise<RunStatus | null> {
  return readJsonOrNull<RunStatus>(file);
}

/** The status.json of the run in `dir`, or null when it is missing or torn. */
export function readRunStatus(dir: string): Promise<RunStatus | null> {
  return readStatus(runFiles(dir).status);
}

/** Replaces a status.json in one rename (a reader sees the old or the new file, never half of one). */
export async function writeStatus(file: string, status: RunStatus): Promise<void> {
  await writeJsonAtomic(file, status);
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
