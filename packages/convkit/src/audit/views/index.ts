/**
 * The page of `convkit audit --html`: bundled by esbuild (audit/html.ts) into one IIFE that sets `window.convkitAudit`;
 * draws with the report's DOM helpers and stylesheet (report/views/dom.ts).
 *
 *   renderAudit(el, page)   page = AuditPageData (audit-types.ts): the audit, class names, thumbnails by `split:index`
 */
import { renderAudit } from './audit.js';

export const convkitAudit = { version: 1, renderAudit };

declare global {
  interface Window {
    convkitAudit: typeof convkitAudit;
  }
}

window.convkitAudit = convkitAudit;
