import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConvkitError, readInputFile } from './errors.js';

/** A YAML or JSON config file, parsed, that can say on which line a key stands. */
export interface ConfigFile {
  file: string;
  data: unknown;
  /** 1-based line of the value at `keys` (or of its nearest ancestor that exists). */
  lineOf(keys: readonly (string | number)[]): number | undefined;
}

/** Parses YAML (JSON is YAML too) from text; syntax errors become one line naming file and line. */
export function parseConfigText(text: string, file: string): ConfigFile {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line ?? lineCounter.linePos(err.pos[0]).line;
    throw new ConvkitError(`not valid ${path.extname(file) === '.json' ? 'JSON' : 'YAML'}: ${err.message.split('\n')[0]}`, { file, line });
  }
  const lineOf = (keys: readonly (string | number)[]): number | undefined => {
    for (let n = keys.length; n >= 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      // For a map entry, point at its key rather than at the value's first line.
      if (n > 0) {
        const parent = n === 1 ? doc.contents : doc.getIn(keys.slice(0, n - 1), true);
        if (isMap(parent)) {
          const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(keys[n - 1]));
          const k = pair?.key as { range?: [number, number, number] } | undefined;
          if (k?.range) return lineCounter.linePos(k.range[0]).line;
        }
      }
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { file, data: doc.toJS(), lineOf };
}

/** Reads and parses a config file (`.yaml`, `.yml` or `.json`). */
export async function readConfigFile(file: string): Promise<ConfigFile> {
  const bytes = await readInputFile(file);
  return parseConfigText(Buffer.from(bytes).toString('utf8'), file);
}

/**
 * Parses `value` (found at `keys` in `cfg`) with a zod schema; the first problem becomes
 * `FILE:LINE: key.path: message`, the key written as in the file.
 */
export function parseConfigWith<S extends z.ZodTypeAny>(schema: S, value: unknown, cfg: ConfigFile, keys: readonly (string | number)[] = [], original?: Map<string, string>): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const inner = (issue.path as (string | number)[]).map((k, i) => (i === 0 && original?.has(String(k)) ? original.get(String(k))! : k));
  let at = [...keys, ...inner];
  // An unknown key is reported at the key itself.
  const extra = (issue as { keys?: string[] }).keys;
  if (issue.code === 'unrecognized_keys' && extra?.length) at = [...at, extra[0]];
  const name = at.map(String).join('.');
  const message = issue.code === 'unrecognized_keys' && extra?.length ? `unknown key` : issue.message;
  throw new ConvkitError(`${name ? `${name}: ` : ''}${message}`, { file: cfg.file, line: cfg.lineOf(at) });
}

/** `batch-size` → `batchSize`: config files use the command line's option names; schemas use camelCase. */
export function camelKey(key: string): string {
  return key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Renames the keys of a plain object from the CLI's kebab-case to camelCase; `original` maps each new key back to
 * the name written in the file (for errors). `aliases` renames camelCase names further (a command-line flag that is
 * not its key's kebab-case: `tb-batches` → `tensorboardBatches`). Two spellings of one key are an error.
 */
export function camelKeys(obj: Record<string, unknown>, cfg: ConfigFile, keys: readonly (string | number)[], aliases: Readonly<Record<string, string>> = {}): { value: Record<string, unknown>; original: Map<string, string> } {
  const value: Record<string, unknown> = {};
  const original = new Map<string, string>();
  for (const [k, v] of Object.entries(obj)) {
    const c = aliases[camelKey(k)] ?? camelKey(k);
    if (original.has(c)) throw new ConvkitError(`${[...keys, k].join('.')}: given twice (also as "${original.get(c)}")`, { file: cfg.file, line: cfg.lineOf([...keys, k]) });
    original.set(c, k);
    value[c] = v;
  }
  return { value, original };
}
