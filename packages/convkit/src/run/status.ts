import os from 'node:os';
import { pidAlive, writeJsonAtomic } from '../util/atomic.js';
import { isProcessPid, startedAfter } from '../util/proc.js';
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

/** How long a `running` status of another host stays `running` without being rewritten (see docs/run-folder.md). */
export const REMOTE_STATUS_SILENCE_MS = 30 * 60_000;

/**
 * The state to show: a run still marked `running` whose process is gone on this host (or whose pid now names a process
 * started after the status) was killed (SIGKILL, crash, power loss) and can be resumed with `convkit train --resume`;
 * one of another host counts as killed once its status went unwritten for REMOTE_STATUS_SILENCE_MS.
 */
export function effectiveState(status: RunStatus): RunState | 'killed' {
  if (status.state !== 'running') return status.state;
  if (status.host !== os.hostname()) {
    const updated = Date.parse(status.updated);
    return Number.isFinite(updated) && Date.now() - updated > REMOTE_STATUS_SILENCE_MS ? 'killed' : 'running';
  }
  if (!isProcessPid(status.pid) || !pidAlive(status.pid)) return 'killed';
  return startedAfter(status.pid, status.started) ? 'killed' : 'running';
}
