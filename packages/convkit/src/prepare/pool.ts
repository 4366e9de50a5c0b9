import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { ConvkitError } from '../util/errors.js';
import type { WorkerInit, WorkerResult, WorkerTask } from './worker.js';

/** The worker module beside this one: worker.ts when running from source (tsx), worker.js in the compiled package. */
export function workerUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
}

/**
 * Starts one worker. From source, Node 20 does not run tsx's `--import` hook in worker threads, so a small
 * bootstrap registers tsx (resolved from here) before importing worker.ts; compiled JS loads directly.
 */
function startWorker(): Worker {
  const url = workerUrl();
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { execArgv: process.execArgv });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true, execArgv: process.execArgv });
}

export function defaultWorkers(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

/**
 * `n` worker threads kept across runs (train, test and meta share one start-up). `run` hands results to
 * `onResult` in task order (so output order does not depend on timing), with at most 2 batches per worker in
 * flight, which bounds memory. After a failed run the pool is closed.
 */
export class PreparePool {
  private workers: Worker[];
  private closed = false;

  constructor(n: number) {
    this.workers = Array.from({ length: Math.max(1, n) }, () => startWorker());
  }

  get size(): number {
    return this.workers.length;
  }

  async run(init: WorkerInit, tasks: WorkerTask[], onResult: (r: WorkerResult) => Promise<void> | void): Promise<void> {
    if (this.closed) throw new Error('PreparePool: run after close');
    if (!tasks.length) return;
    const workers = this.workers;
    const listeners: [Worker, string, (...a: any[]) => void][] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        let next = 0;
        let delivered = 0;
        let failed = false;
        const ready = new Map<number, WorkerResult>();
        const fail = (e: unknown) => {
          if (!failed) {
            failed = true;
            reject(e);
          }
        };
        const flush = async () => {
          while (!failed && ready.has(delivered)) {
            const r = ready.get(delivered)!;
            ready.delete(delivered);
            if (r.error) {
              const err = r.error;
              fail(err.exitCode === 1 && err.stack ? Object.assign(new Error(err.reason), { stack: err.stack }) : new ConvkitError(err.reason, { file: err.file, line: err.line, exitCode: err.exitCode }));
              return;
            }
            delivered++;
            try {
              await onResult(r);
            } catch (e) {
              fail(e);
              return;
            }
            if (delivered === tasks.length) resolve();
          }
        };
        let writing = Promise.resolve();
        const outstanding = new Map<Worker, number>(workers.map((w) => [w, 0]));
        const dispatch = () => {
          while (!failed && next < tasks.length && next - delivered < 2 * workers.length) {
            const w = workers.reduce((a, b) => (outstanding.get(b)! < outstanding.get(a)! ? b : a));
            outstanding.set(w, outstanding.get(w)! + 1);
            w.postMessage({ task: tasks[next++] });
          }
        };
        for (const w of workers) {
          w.postMessage({ init });
          const onMessage = (r: WorkerResult) => {
            outstanding.set(w, outstanding.get(w)! - 1);
            ready.set(r.id, r);
            writing = writing.then(flush).then(dispatch);
          };
          const onExit = (code: number) => {
            if (!failed && delivered < tasks.length) fail(new Error(`prepare worker exited with code ${code}`));
          };
          w.on('message', onMessage);
          w.on('error', fail);
          w.on('exit', onExit);
          listeners.push([w, 'message', onMessage], [w, 'error', fail], [w, 'exit', onExit]);
        }
        dispatch();
      });
    } catch (e) {
      await this.close();
      throw e;
    } finally {
      for (const [w, ev, fn] of listeners) w.off(ev, fn);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** One run on a fresh pool of `n` workers. */
export async function runBatches(init: WorkerInit, tasks: WorkerTask[], n: number, onResult: (r: WorkerResult) => Promise<void> | void): Promise<void> {
  if (!tasks.length) return;
  const pool = new PreparePool(Math.min(n, tasks.length));
  try {
    await pool.run(init, tasks, onResult);
  } finally {
    await pool.close();
  }
}
