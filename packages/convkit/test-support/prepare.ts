// Helpers for the prepare tests (imported only by *.test.ts).
import { spawnSync } from 'node:child_process';
import { findPython } from './python.js';

/** A python3 that can `import h5py` (PATH's python3 may be a pyenv one without Debian's python3-h5py). */
export function pythonWithH5py(): string | null {
  return findPython(H5PY);
}

/** The modules the h5py checks import (for `skipWithoutPython` / `requirePython`). */
export const H5PY = ['h5py', 'numpy'];

/** Runs a Python snippet with h5py; returns its stdout parsed as JSON. */
export function h5pyJson(py: string, code: string, ...args: string[]): any {
  const r = spawnSync(py, ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Runs the CLI in-process; returns exit code and what it wrote on stdout/stderr. */
export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../src/cli/main.js');
  let stdout = '';
  let stderr = '';
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => ((stdout += String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => ((stderr += String(c)), true)) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'convkit', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}
