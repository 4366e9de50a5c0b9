import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleBrowser, builtOrBundled } from '../report/views-bundle.js';
import { writeFileAtomic } from '../util/atomic.js';
import { PAGES, TRY_IT_BUNDLE, type PageName } from './pages.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where `npm run build` puts the pages' scripts: dist/web/pages/<page>.js. */
export const PAGES_BUNDLE_DIR = path.join(here, 'pages');
const NAMES = Object.keys(PAGES) as PageName[];
/** Each page's entry point: web/browser/<page>.ts (which imports the report's views it shows). */
const entry = (page: PageName) => path.join(here, 'browser', `${page}.ts`);

let all: Promise<Map<PageName, string>> | undefined;

/** Every page's script in one esbuild run (the first request of a server running from source pays it once). */
async function bundlePages(): Promise<Map<PageName, string>> {
  const scripts = await bundleBrowser(NAMES.map(entry));
  return new Map(NAMES.map((p, i) => [p, scripts[i]]));
}

/** The script of one dashboard page: built by `npm run build`, else bundled from the sources on first request. */
export function pageBundle(page: PageName): Promise<string> {
  return builtOrBundled(path.join(PAGES_BUNDLE_DIR, `${page}.js`), async () => {
    all ??= bundlePages();
    all.catch(() => (all = undefined)); // a failed bundle (a source being edited) is retried next request
    return (await all).get(page)!;
  });
}

let tryIt: Promise<string> | undefined;
const bundleTryIt = async () => (await bundleBrowser([path.join(here, 'browser', `${TRY_IT_BUNDLE}.ts`)]))[0];

/** The try-it panel's script (tfjs-core, -layers, the WebGL and CPU backends: 1.5 MB minified), bundled apart so pages stay light. */
export function tryItBundle(): Promise<string> {
  return builtOrBundled(path.join(PAGES_BUNDLE_DIR, `${TRY_IT_BUNDLE}.js`), async () => {
    tryIt ??= bundleTryIt();
    tryIt.catch(() => (tryIt = undefined));
    return tryIt;
  });
}

/** `npm run build`'s step after tsc: writes dist/web/pages/<page>.js for every page, and the try-it panel's script. */
export async function writePageBundles(dir = PAGES_BUNDLE_DIR): Promise<void> {
  const scripts = await bundlePages();
  for (const [page, text] of scripts) await writeFileAtomic(path.join(dir, `${page}.js`), text);
  await writeFileAtomic(path.join(dir, `${TRY_IT_BUNDLE}.js`), await bundleTryIt());
}
