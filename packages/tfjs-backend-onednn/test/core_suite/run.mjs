#!/usr/bin/env node
// Runs tfjs-core's backend-agnostic jasmine suite (dist/tests.js of the npm package) against the
// `onednn` backend: bundles entry.ts with esbuild, then runs it under jasmine and prints one JSON
// line `CORE_SUITE {...}` with the counts. Usage: node run.mjs [--filter=SUBSTRING]
import { build } from 'esbuild';
import Jasmine from 'jasmine';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(here, '../..');
const filter = process.argv.find((a) => a.startsWith('--filter='))?.slice(9);
// Inside the package so the bundle's runtime require() finds node_modules.
mkdirSync(path.join(pkg, 'build'), { recursive: true });
const out = mkdtempSync(path.join(pkg, 'build', 'core-suite-'));
const bundle = path.join(out, 'suite.mjs');
process.env.CONVKIT_ONEDNN_ADDON ||= path.join(pkg, 'build', 'Release', 'convkit_onednn.node');

await build({
  entryPoints: [path.join(here, 'entry.ts')], bundle: true, platform: 'node', format: 'esm',
  outfile: bundle, logLevel: 'error',
  // tfjs-core's ESM build (dist/*.js) for everyone: one copy of its modules.
  mainFields: ['module', 'main'],
  // tfjs-core's test modules are marked side-effect free; keep them.
  ignoreAnnotations: true,
  // The addon is loaded at run time; the packages that only Node's require should see stay outside.
  external: ['jasmine', 'jasmine-core'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});

Error.stackTraceLimit = 50;
const runner = new Jasmine({ projectBaseDir: out });
runner.exitOnCompletion = false;
runner.loadConfig({ spec_files: [], random: false });
const failures = [];
let executed = 0, excluded = 0, pending = 0;
runner.env.clearReporters();
runner.env.addReporter({
  specDone(r) {
    if (r.status === 'excluded') excluded++;
    else if (r.status === 'pending') pending++;
    else {
      executed++;
      if (r.status === 'failed') failures.push({ name: r.fullName, messages: r.failedExpectations.map((f) => f.message.slice(0, 400)) });
    }
  },
  suiteDone(r) {
    if (r.failedExpectations?.length) failures.push({ name: `suite ${r.fullName}`, messages: r.failedExpectations.map((f) => f.message.slice(0, 400)) });
  },
  jasmineDone(r) {
    if (r.failedExpectations?.length) failures.push({ name: 'top level', messages: r.failedExpectations.map((f) => f.message.slice(0, 400)) });
  },
});
const start = Date.now();
await import(pathToFileURL(bundle).href);
await runner.execute(undefined, filter);
rmSync(out, { recursive: true, force: true });
for (const f of failures) console.log(`FAILED: ${f.name}\n  ${f.messages.join('\n  ')}`);
console.log('CORE_SUITE ' + JSON.stringify({ executed, failed: failures.length, excluded, pending, seconds: (Date.now() - start) / 1000 }));
process.exit(failures.length ? 1 : 0);
