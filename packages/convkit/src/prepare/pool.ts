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
 * Runs batches on `n` worker threads and hands results to `onResult` in task order (so output order does not
 * depend on timing). At most 2 batches per worker are in flight, which bounds memory.
 */
export async function runBatches(
  init: WorkerInit,
  tasks: WorkerTask[],
  n: number,
  onResult: (r: WorkerResult) => Promise<void> | void,
): Promise<void> {
  if (!tasks.length) return;
  const workers = Array.from({ length: Math.min(n, tasks.length) }, () => startWorker());
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
        w.on('message', (r: WorkerResult) => {
          outstanding.set(w, outstanding.get(w)! - 1);
          ready.set(r.id, r);
          writing = writing.then(flush).then(dispatch);
        });
        w.on('error', fail);
        w.on('exit', (code) => {
          if (code !== 0 && !failed && delivered < tasks.length) fail(new Error(`prepare worker exited with code ${code}`));
        });
      }
      dispatch();
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
