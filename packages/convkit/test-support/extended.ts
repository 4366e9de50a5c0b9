import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';

/**
 * Options for a test of the extended group, the tests that need data not in the repository (../shared/data beside
 * the clone, Debian's Fashion-MNIST): `test(name, extended(mnistDir), fn)` runs when every path exists and is
 * reported as skipped, with the missing path as the reason, when one does not. So a fresh clone passes `make test`,
 * and CI, which has the data, runs everything. With CONVKIT_EXTENDED=require (set by .ci/run) or CI set (as for the
 * Python checks, test-support/python.ts) nothing is skipped: a missing path fails the test, so data gone missing in CI
 * cannot turn into quiet skips.
 */
export function extended(...needs: string[]): { skip: string | false } {
  const missing = needs.filter((p) => !existsSync(p));
  if (!missing.length || extendedRequired()) return { skip: false };
  const shown = missing.map((p) => (p.startsWith(path.dirname(repoRoot)) ? `${path.relative(repoRoot, p)} (${p})` : p));
  return { skip: `extended group: needs ${shown.join(', ')}, not found` };
}

/** True where the extended group must run (CI): its tests then fail instead of skipping when their data is missing. */
export function extendedRequired(): boolean {
  return process.env.CONVKIT_EXTENDED === 'require' || Boolean(process.env.CI);
}
