import { promises as fs } from 'node:fs';
import os from 'node:os';
import { effectiveState, readStatus } from '../train/callbacks/status.js';
import { runFiles } from '../train/run-files.js';

export type StopOutcome = { ok: true; pid: number } | { ok: false; status: number; reason: string };

/**
 * Sends SIGINT to the process training `dir` — what Ctrl-C does: it finishes the batch, writes checkpoints/last and
 * exits 130 with the run marked interrupted and resumable. The pid comes from status.json and must be alive on this
 * host and older than the run (so a recycled pid is never signalled).
 */
export async function stopRun(dir: string): Promise<StopOutcome> {
  const status = await readStatus(runFiles(dir).status);
  if (!status) return { ok: false, status: 409, reason: 'the run has no status.json (not started)' };
  if (status.host !== os.hostname()) return { ok: false, status: 409, reason: `the run is on host ${status.host}, not this one` };
  if (effectiveState(status) !== 'running') return { ok: false, status: 409, reason: `the run is not running (${effectiveState(status)})` };
  if (!(await isTrainingProcess(status.pid, status.started))) return { ok: false, status: 409, reason: `process ${status.pid} is not the one training this run (pid reused)` };
  try {
    process.kill(status.pid, 'SIGINT');
  } catch (e) {
    return { ok: false, status: 409, reason: `cannot signal process ${status.pid} (${(e as NodeJS.ErrnoException).code})` };
  }
  return { ok: true, pid: status.pid };
}

/**
 * On Linux, whether `pid` is the process that wrote status.json: it must have started before the run did (a recycled
 * pid belongs to a process started later). Where /proc is missing, status.json is trusted.
 */
async function isTrainingProcess(pid: number, runStarted: string): Promise<boolean> {
  let stat: string;
  let boot: string;
  try {
    [stat, boot] = await Promise.all([fs.readFile(`/proc/${pid}/stat`, 'utf8'), fs.readFile('/proc/stat', 'utf8')]);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT' || !(await procMounted());
  }
  const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]); // field 22 of proc(5): start time in clock ticks
  const btime = Number(/^btime (\d+)$/m.exec(boot)?.[1]);
  const startedMs = Date.parse(runStarted);
  if (!Number.isFinite(ticks) || !Number.isFinite(btime) || !Number.isFinite(startedMs)) return true;
  return btime * 1000 + ticks * 10 <= startedMs + 2000; // USER_HZ = 100 on every Linux Node runs on
}

async function procMounted(): Promise<boolean> {
  try {
    await fs.access('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}
