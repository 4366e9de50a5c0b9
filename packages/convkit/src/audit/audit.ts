import path from 'node:path';
import { z } from 'zod';
import { splitImageUri } from '../report/images.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { ConvkitError } from '../util/errors.js';
import { parseWith, schemaFromTable } from '../util/schema.js';
import { CONVKIT_VERSION } from '../version.js';
import { AUDIT_FORMAT, PAGE_LIMITS, thumbKey, type AuditPageData, type AuditReport, type AuditSplitName, type LabelSearch, type LabelSuspectEntry } from './audit-types.js';
import { countClasses } from './classes.js';
import { findDuplicates } from './duplicates.js';
import { writeAuditHtml } from './html.js';
import { imageName, loadAuditData, type LoadedAuditData } from './load.js';
import { AUDIT_FILE_NAMES, AUDIT_OPTIONS } from './options.js';
import { assessQuality } from './quality.js';

/** Options of `convkit audit`, from the one table (options.ts); `data` is DATA. */
export const AuditSchema = schemaFromTable(AUDIT_OPTIONS).extend({ data: z.string().min(1) });
export type AuditInput = z.input<typeof AuditSchema>;

export interface AuditResult {
  report: AuditReport;
  /** Files written (JSON, HTML). */
  files: string[];
}

/** Float32 NHWC in [0, 1], as the fold models take it. */
function asFloat(x: Uint8Array | Float32Array): Float32Array {
  if (x instanceof Float32Array) return x;
  // A loop, not Float32Array.from(x, map): with a map function V8 first lists every value in a JS array, which
  // fails ("invalid array length") on the full GTSRB training set (39,209 × 32 × 32 × 3 values).
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] / 255;
  return out;
}

/** Track ids as fold groups: an image without a track (-1) is a group of its own. */
function foldGroups(tracks: Int32Array | undefined): Int32Array | null {
  if (!tracks) return null;
  return tracks.map((t, i) => (t >= 0 ? t : -1 - i));
}

async function labelSuspects(d: LoadedAuditData, o: z.output<typeof AuditSchema>, log: (m: string) => void): Promise<{ entries: LabelSuspectEntry[]; search: LabelSearch } | null> {
  if (o.folds === 0) return null;
  const { defaultSuspectModel, findLabelSuspects } = await import('./label-suspects.js'); // tfjs loads only when label suspects are searched
  const t = d.train;
  const r = await findLabelSuspects(
    { x: asFloat(t.x), shape: [t.count, d.info.height, d.info.width, d.info.channels], labels: t.y, numClasses: d.info.numClasses, groups: o.foldsBy === 'track' ? foldGroups(t.tracks) : null },
    { folds: o.folds, model: o.model ?? '', epochs: o.epochs, seed: o.seed, batchSize: o.batchSize, onProgress: (line) => log(`convkit audit: ${line}`) },
  );
  return {
    entries: r.suspects.map((s) => ({ file: imageName(t, 'train', s.index), split: 'train', index: s.index, given: s.given, suggested: s.suggested, score: s.score })),
    search: { folds: r.folds, by_group: r.byGroup, model: o.model ?? defaultSuspectModel(d.info.height, d.info.width), epochs: o.epochs, seed: o.seed, seconds: r.seconds, thresholds: Array.from(r.thresholds) },
  };
}

/** The thumbnails the page shows: the images of its first pairs, suspects and worst images of each check. */
async function thumbnails(report: AuditReport, d: LoadedAuditData): Promise<Record<string, string>> {
  const wanted = new Map<string, [AuditSplitName, number]>();
  const want = (split: AuditSplitName, index: number) => wanted.set(thumbKey(split, index), [split, index]);
  for (const p of report.duplicates.slice(0, PAGE_LIMITS.pairs)) p.splits.forEach((s, k) => want(s, p.indices[k]));
  for (const s of report.label_suspects.slice(0, PAGE_LIMITS.suspects)) want('train', s.index);
  for (const c of [report.quality.dark, report.quality.low_contrast, report.quality.blurred, report.quality.tiny]) for (const im of c.images.slice(0, PAGE_LIMITS.quality)) want(im.split, im.index);
  const thumbs: Record<string, string> = {};
  const { height: h, width: w, channels: c } = d.info;
  for (const [key, [split, index]] of wanted) thumbs[key] = await splitImageUri(split === 'train' ? d.train : d.test, index, h, w, c);
  return thumbs;
}

/** Where the outputs go: --json / --html, or both named files inside --out. */
function outputs(o: z.output<typeof AuditSchema>): { json?: string; html?: string } {
  if (o.out && (o.json || o.html)) throw new ConvkitError('give either --out or --json/--html, not both');
  if (o.out) return { json: path.join(o.out, AUDIT_FILE_NAMES.json), html: path.join(o.out, AUDIT_FILE_NAMES.html) };
  return { json: o.json, html: o.html };
}

/**
 * `convkit audit DATA`: exact and near-duplicates (leaks across train/test), label suspects (confident learning,
 * label-suspects.ts), image quality and class counts of a dataset; written as audit.json and a self-contained HTML page.
 */
export async function runAudit(input: AuditInput, log: (m: string) => void = () => {}): Promise<AuditResult> {
  const o = parseWith(AuditSchema, input, 'convkit audit');
  const out = outputs(o);
  const t0 = performance.now();
  const d = await loadAuditData(o.data, { testRoot: o.testRoot, log });
  const loadSeconds = (performance.now() - t0) / 1000;
  const shape = { height: d.info.height, width: d.info.width, channels: d.info.channels };
  log(`convkit audit: loaded ${d.info.train} training and ${d.info.test} test images (${d.info.height}×${d.info.width}×${d.info.channels}) in ${loadSeconds.toFixed(1)} s`);
  const dup = findDuplicates(d.train, d.test, shape, { threshold: o.threshold });
  log(`convkit audit: duplicates: ${dup.search.counts.leak} train/test pairs, ${dup.search.counts.train} in train, ${dup.search.counts.test} in test (${dup.search.seconds.toFixed(1)} s)`);
  const quality = assessQuality(d.train, d.test, shape);
  log(`convkit audit: quality measured (${quality.seconds.toFixed(1)} s)`);
  const suspects = await labelSuspects(d, o, log);
  const report: AuditReport = {
    format: AUDIT_FORMAT,
    created: new Date().toISOString(),
    convkit_version: CONVKIT_VERSION,
    data: d.info,
    duplicates: dup.pairs,
    duplicate_search: dup.search,
    label_suspects: suspects?.entries ?? [],
    label_search: suspects?.search ?? null,
    quality,
    classes: countClasses(d.train.y, d.test.y, d.info.numClasses, d.classNames),
    seconds: { load: loadSeconds, total: (performance.now() - t0) / 1000 },
  };
  const files: string[] = [];
  if (out.json) {
    await writeJsonAtomic(out.json, report);
    files.push(out.json);
  }
  if (out.html) {
    const page: AuditPageData = { report, classNames: d.classNames, thumbs: await thumbnails(report, d) };
    await writeAuditHtml(out.html, page);
    files.push(out.html);
  }
  return { report, files };
}
