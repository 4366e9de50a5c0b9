import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ConvkitCommand } from './command.js';
import type { Job } from './plan.js';

export interface LocalOptions<J extends { id: string } = Job> {
  parallel: number;
  /** CONVKIT_THREADS of each job. */
  threads: number;
  command: ConvkitCommand;
  logDir: string;
  /** `convkit train` arguments for a job (fresh or resume: the runner decides). */
  argsOf(job: J): string[];
  onStart?(job: J): void;
  /** Called when a job's process ended, before the next one starts in its slot. */
  onExit(job: J, exit: { code: number | null; signal: NodeJS.Signals | null; log: string }): Promise<void>;
  log(msg: string): void;
  /** Who speaks in the signal lines (default `convkit batch`). */
  label?: string;
}

/** Signals that stop a batch run (SIGHUP: the terminal or ssh session closed). */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

// Hand-written: a pool of child processes is a queue and N workers over child_process; no library adds to that.
/**
 * The local executor: a pool of `parallel` child processes, each one `convkit train` on one job's run directory
 * (a batch's jobs, an ensemble's members); its log is `logDir/<id>.log`.
 * SIGINT/SIGTERM/SIGHUP to the batch stops starting jobs and passes the signal once to every running job (they save a
 * checkpoint and exit); the children run in their own process group so a terminal's Ctrl-C reaches them only this way.
 */
export async function runLocal<J extends { id: string } = Job>(jobs: J[], o: LocalOptions<J>): Promise<{ interrupted: NodeJS.Signals | null }> {
  await fs.mkdir(o.logDir, { recursive: true });
  const running = new Map<ChildProcess, J>();
  let interrupted: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    const again = interrupted !== null;
    interrupted = sig;
    const who = o.label ?? 'convkit batch';
    o.log(again ? `${who}: ${sig} again: stopping the running jobs at once` : `${who}: ${sig}: no new jobs; asking ${running.size} running job(s) to save a checkpoint and stop (signal again to stop at once)`);
    for (const child of running.keys()) child.kill(again ? 'SIGKILL' : 'SIGINT');
  };
  const handlers = STOP_SIGNALS.map((s) => [s, () => onSignal(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);

  const queue = [...jobs];
  const worker = async () => {
    for (let job = queue.shift(); job && !interrupted; job = queue.shift()) {
      const logFile = path.join(o.logDir, `${job.id}.log`);
      const fh = await fs.open(logFile, 'a');
      const startOffset = (await fh.stat()).size;
      const child = spawn(o.command.node, [...o.command.args, ...o.argsOf(job)], {
        stdio: ['ignore', fh.fd, fh.fd],
        detached: true,
        env: { ...process.env, CONVKIT_THREADS: String(o.threads), NO_COLOR: '1' },
      });
      running.set(child, job);
      o.onStart?.(job);
      const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
      running.delete(child);
      await fh.close();
      const log = (await fs.readFile(logFile)).subarray(startOffset).toString('utf8');
      await o.onExit(job, { code, signal, log });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(o.parallel, jobs.length) }, worker));
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
  }
  return { interrupted };
}
