// Helpers for the prepare tests (imported only by *.test.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';

/** Runs a Python snippet with h5py; returns its stdout parsed as JSON. */
export function h5pyJson(py: string, code: string, ...args: string[]): any {
  const r = spawnSync(py, ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * Runs the CLI in-process; returns exit code and what it wrote on stdout/stderr.
 *
 * Only writes made from within this CLI call (its async context) are captured: node's test runner reports each
 * test's result through this process's stdout, and a result written while a CLI call is running must still reach
 * the runner, or it vanishes from the count.
 */
export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../src/cli/main.js');
  installCapture();
  const out: Capture = { stdout: '', stderr: '' };
  const code = await capture.run(out, () => main(['node', 'convkit', ...args]));
  return { code, ...out };
}

interface Capture {
  stdout: string;
  stderr: string;
}

const capture = new AsyncLocalStorage<Capture>();
let installed = false;

/** Routes process.stdout/stderr writes made inside `capture.run` to its buffers; every other write goes through unchanged. */
function installCapture(): void {
  if (installed) return;
  installed = true;
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const original = stream.write.bind(stream) as (...a: unknown[]) => boolean;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const out = capture.getStore();
      if (!out) return original(chunk, ...rest);
      out[name] += String(chunk);
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      if (cb) process.nextTick(cb);
      return true;
    }) as typeof stream.write;
  }
}
