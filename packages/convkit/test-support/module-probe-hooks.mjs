// Loader hooks for module-probe.ts: append every resolved ES-module URL to the file given at registration
// (synchronously, so the list is complete when the import that caused it returns).
import { appendFileSync } from 'node:fs';

let file;
export async function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(file, r.url + '\n');
  return r;
}
