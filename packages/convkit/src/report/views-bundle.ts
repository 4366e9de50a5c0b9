import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../util/atomic.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where `npm run build` puts the bundle: beside this module in dist/report/. */
export const VIEWS_BUNDLE_FILE = path.join(here, 'convkit-views.js');
const ENTRY = path.join(here, 'views', 'index.ts');

let cached: Promise<string> | undefined;

/** Bundles report/views/ (uPlot and its CSS included) into one minified IIFE script that sets window.convkitViews. */
export async function bundleViews(): Promise<string> {
  const esbuild = await import('esbuild');
  const src = ENTRY.replace(`${path.sep}dist${path.sep}`, `${path.sep}src${path.sep}`);
  const r = await esbuild.build({
    entryPoints: [src],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    legalComments: 'inline',
    loader: { '.css': 'text' },
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

/**
 * The views' script for the static report and the dashboard: the built file when running from dist/, else
 * bundled from the TypeScript sources (tsx, tests) so that it never lags behind them.
 */
export function viewsBundle(): Promise<string> {
  cached ??= (async () => {
    if (!import.meta.url.endsWith('.ts')) {
      try {
        return await fs.readFile(VIEWS_BUNDLE_FILE, 'utf8');
      } catch {
        /* not built: bundle below */
      }
    }
    return bundleViews();
  })();
  return cached;
}

/** `npm run build`'s step after tsc: writes dist/report/convkit-views.js. */
export async function writeViewsBundle(file = VIEWS_BUNDLE_FILE): Promise<void> {
  await writeFileAtomic(file, await bundleViews());
}
