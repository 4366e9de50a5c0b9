import { promises as fs } from 'node:fs';
import os from 'node:os';
import { effectiveState, readStatus } from '../train/callbacks/status.js';
import { runFiles } from '../train/run-files.js';

export type StopOutcome = { ok: true; pid: number } | { ok: false; status: number; reason: string };

/**
 * Sends SIGINT to the process training `dir` — what Ctrl-C does: it finishes the batch, writes checkpoints/last and
 * exits 130 with the run marked interrupted and resumable. The pid comes from status.json and must be alive on this
 * host and be a convkit process (so a recycled pid is never signalled).
 */
export async function stopRun(dir: string): Promise<StopOutcome> {
  const status = await readStatus(runFiles(dir).status);
  if (!status) return { ok: false, status: 409, reason: 'the run has no status.json (not started)' };
  if (status.host !== os.hostname()) return { ok: false, status: 409, reason: `the run is on host ${status.host}, not this one` };
  if (effectiveState(status) !== 'running') return { ok: false, status: 409, reason: `the run is not running (${effectiveState(status)})` };
  if (!(await isConvkitProcess(status.pid))) return { ok: false, status: 409, reason: `process ${status.pid} is not a convkit run` };
  try {
    process.kill(status.pid, 'SIGINT');
  } catch (e) {
    return { ok: false, status: 409, reason: `cannot signal process ${status.pid} (${(e as NodeJS.ErrnoException).code})` };
  }
  return { ok: true, pid: status.pid };
}

/** On Linux, whether /proc says `pid` runs convkit; elsewhere trusts status.json. */
async function isConvkitProcess(pid: number): Promise<boolean> {
  let cmdline: string;
  try {
    cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT' || !(await procMounted());
  }
  return cmdline.includes('convkit');
}

async function procMounted(): Promise<boolean> {
  try {
    await fs.access('/proc/self/cmdline');
    return true;
  } catch {
    return false;
  }
}
