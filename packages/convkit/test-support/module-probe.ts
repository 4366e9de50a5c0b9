// `node --import tsx module-probe.ts OUT.json ARGS…` runs `convkit ARGS…` in this process, then writes to OUT.json what
// it loaded: npm packages (CommonJS from require.cache, ES modules from a resolve hook) and native libraries
// (process.report's shared objects). The fast-start test uses it to check that help and listings load no tfjs.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const [out, ...args] = process.argv.slice(2);
const esmLog = path.join(os.tmpdir(), `convkit-module-probe-${process.pid}.txt`);
writeFileSync(esmLog, '');
register(new URL('./module-probe-hooks.mjs', import.meta.url), { data: { file: esmLog } });

const { main } = await import('../src/cli/main.js');
const code = await main(['node', 'convkit', ...args]);

/** `…/node_modules/@scope/name/…` or `…/node_modules/name/…` → the package name. */
function packageOf(p: string): string | null {
  if (p.includes('/packages/tfjs-backend-onednn/')) return '@convkit/tfjs-backend-onednn'; // the workspace link resolves to its real path
  const m = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p);
  return m ? m[1]! : null;
}
const require = createRequire(import.meta.url);
const files = [...Object.keys(require.cache), ...readFileSync(esmLog, 'utf8').split('\n').filter(Boolean).map((u) => decodeURIComponent(u.replace(/^file:\/\//, '')))];
rmSync(esmLog, { force: true });
const packages = [...new Set(files.map(packageOf).filter((p): p is string => p !== null))].sort();
const report = process.report.getReport() as unknown as { sharedObjects: string[] };
const nativeLibraries = report.sharedObjects.filter((s) => s.endsWith('.node') || /libdnnl|libvips/.test(s));
writeFileSync(out!, JSON.stringify({ code, packages, nativeLibraries}));
