import { signalRunWriter } from '../run/lock.js';
import { isConvkitError } from '../util/errors.js';

export type StopOutcome = { ok: true; pid: number } | { ok: false; status: number; reason: string };

/**
 * Sends SIGINT to the process writing `dir` — what Ctrl-C does: it finishes the batch, writes its last checkpoint and
 * exits 130 with the run marked interrupted and resumable. The process is the run lock's holder (the lock file: pid,
 * host, start time), so a finished run, a dead writer or a recycled pid is never signalled.
 */
export async function stopRun(dir: string): Promise<StopOutcome> {
  try {
    const writer = await signalRunWriter(dir, 'SIGINT');
    return { ok: true, pid: writer.pid };
  } catch (e) {
    if (isConvkitError(e)) return { ok: false, status: 409, reason: e.reason };
    return { ok: false, status: 409, reason: `cannot signal the run's process (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
}
