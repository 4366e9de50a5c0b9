import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { selfContainedPage } from '../report/html.js';
import { builtOrBundled, bundleBrowser } from '../report/views-bundle.js';
import { writeFileAtomic } from '../util/atomic.js';
import type { AuditPageData } from './audit-types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where `npm run build` puts the audit page's script: dist/audit/convkit-audit.js. */
export const AUDIT_BUNDLE_FILE = path.join(here, 'convkit-audit.js');
/** The page's entry point: audit/views/index.ts (which uses the report's DOM helpers and stylesheet). */
const ENTRY = path.join(here, 'views', 'index.ts');

let cached: Promise<string> | undefined;

/** The audit view's script: built by `npm run build`, else bundled from the TypeScript sources. */
function auditBundle(): Promise<string> {
  cached ??= builtOrBundled(AUDIT_BUNDLE_FILE, async () => (await bundleBrowser([ENTRY]))[0]);
  return cached;
}

export async function auditHtml(page: AuditPageData): Promise<string> {
  return selfContainedPage(`convkit audit: ${page.report.data.source}`, await auditBundle(), 'convkitAudit.renderAudit', page);
}

/** The audit as one self-contained HTML file (thumbnails inline, no network), written atomically. */
export async function writeAuditHtml(file: string, page: AuditPageData): Promise<void> {
  await writeFileAtomic(file, await auditHtml(page));
}

/** `npm run build`'s step after tsc: writes dist/audit/convkit-audit.js. */
export async function writeAuditBundle(file = AUDIT_BUNDLE_FILE): Promise<void> {
  await writeFileAtomic(file, (await bundleBrowser([ENTRY]))[0]);
}
