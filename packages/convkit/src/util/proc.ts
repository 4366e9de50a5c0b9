import { readFileSync } from 'node:fs';

// Hand-written: Node exposes no process start time; Linux's /proc has it (a pid alone may have been recycled).

/** A pid that names one process (0 and -1 name process groups, 1 is init). */
export const isProcessPid = (pid: unknown): pid is number => Number.isInteger(pid) && (pid as number) > 1;

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot), or null where /proc does not have it. */
export function processStartTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]); // field 22 of proc(5), counted from field 3
    return Number.isInteger(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

/** Start time of a process on Linux (from /proc), or null where /proc is not there. */
export function processStartMs(pid: number): number | null {
  const ticks = processStartTicks(pid);
  if (ticks === null) return null;
  try {
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(btime) ? btime * 1000 + (ticks * 1000) / 100 : null; // USER_HZ is 100 on every Linux ABI Node runs on
  } catch {
    return null;
  }
}

/**
 * Whether the process now under `pid` started after `iso` (with 2 s of slack for clock rounding): then it is not the
 * process that wrote that time (its pid was recycled). False when /proc or the time cannot tell.
 */
export function startedAfter(pid: number, iso: string): boolean {
  const startMs = processStartMs(pid);
  const thenMs = Date.parse(iso);
  return startMs !== null && Number.isFinite(thenMs) && startMs > thenMs + 2000;
}
