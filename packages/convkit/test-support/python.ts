// Python peers of the tests (h5py reads our HDF5 files, a crcmod-based reader checks TensorBoard files).
import { spawnSync } from 'node:child_process';

const DEBIAN_PACKAGE: Record<string, string> = { h5py: 'python3-h5py', numpy: 'python3-numpy', 'crcmod.predefined': 'python3-crcmod' };
const found = new Map<string, string | null>();

/** A python3 that can import every module (PATH's python3 may be a pyenv one without Debian's packages), or null. */
export function findPython(modules: string[]): string | null {
  const key = modules.join(',');
  if (!found.has(key)) {
    const py = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', `import ${key}`], { stdio: 'ignore' }).status === 0) ?? null;
    found.set(key, py);
  }
  return found.get(key)!;
}

const missingWhy = (modules: string[]) => `needs python3 with ${modules.join(', ')} (Debian ${modules.map((m) => DEBIAN_PACKAGE[m] ?? m).join(', ')}; scripts/setup.sh installs them)`;

/**
 * The `skip` option of a test whose check runs in Python: the reason when the modules are missing, so the summary
 * counts it as skipped — except under CI (`CI` set), where setup installed them: there the test runs and fails.
 */
export function skipWithoutPython(modules: string[]): string | false {
  if (findPython(modules) || process.env.CI) return false;
  return missingWhy(modules);
}

/** The python3 for `modules`; throws (failing the test) when there is none. */
export function requirePython(modules: string[]): string {
  const py = findPython(modules);
  if (!py) throw new Error(missingWhy(modules));
  return py;
}

/** The module the TensorBoard reader (`train/callbacks/tfevents-reader.py`) needs for CRC-32C. */
export const CRCMOD = ['crcmod.predefined'];
