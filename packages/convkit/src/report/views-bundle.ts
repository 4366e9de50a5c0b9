import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../util/atomic.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where `npm run build` puts the bundle: beside this module in dist/report/. */
export const VIEWS_BUNDLE_FILE = path.join(here, 'convkit-views.js');
const ENTRY = path.join(here, 'views', 'index.ts');

/** True when running from the TypeScript sources (tsx, tests): bundles are then made from them, never read stale. */
const fromSource = import.meta.url.endsWith('.ts');

/**
 * Bundles browser TypeScript (report/views/, web/browser/) with esbuild: one minified IIFE per entry, imports (uPlot
 * and its CSS included) inlined, so a page needs no network. Entries may name dist/ paths: the sources under src/
 * are bundled. Returns the scripts in the order of `entries`.
 */
export async function bundleBrowser(entries: string[]): Promise<string[]> {
  const esbuild = await import('esbuild');
  const src = entries.map((e) => e.replace(`${path.sep}dist${path.sep}`, `${path.sep}src${path.sep}`));
  const r = await esbuild.build({
    entryPoints: src,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    outdir: 'out', // not written: names the outputs (one per entry, in order)
    legalComments: 'inline',
    loader: { '.css': 'text' },
    logLevel: 'silent',
  });
  return src.map((e) => r.outputFiles.find((f) => path.basename(f.path) === path.basename(e).replace(/\.ts$/, '.js'))!.text);
}

/** The built file when running from dist/ (`npm run build` wrote it), else (or when missing) `bundle()`. */
export async function builtOrBundled(file: string, bundle: () => Promise<string>): Promise<string> {
  if (!fromSource) {
    try {
      return await fs.readFile(file, 'utf8');
    } catch {
      /* not built: bundle below */
    }
  }
  return bundle();
}

let cached: Promise<string> | undefined;

/** Bundles report/views/ (uPlot and its CSS included) into one minified IIFE script that sets window.convkitViews. */
export async function bundleViews(): Promise<string> {
  return (await bundleBrowser([ENTRY]))[0];
}

/**
 * The views' script for the static report: the built file when running from dist/, else bundled from the
 * TypeScript sources (tsx, tests) so that it never lags behind them.
 */
export function viewsBundle(): Promise<string> {
  cached ??= builtOrBundled(VIEWS_BUNDLE_FILE, bundleViews);
  return cached;
}

/** `npm run build`'s step after tsc: writes dist/report/convkit-views.js. */
export async function writeViewsBundle(file = VIEWS_BUNDLE_FILE): Promise<void> {
  await writeFileAtomic(file, await bundleViews());
}
