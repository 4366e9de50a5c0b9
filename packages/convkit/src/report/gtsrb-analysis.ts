import path from 'node:path';
import { indexGtsrb, readGtsrbImage, type GtsrbIndex, type GtsrbSample, type GtsrbSkip } from '../datasets/gtsrb.js';
import type { RawImage } from '../datasets/pnm.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { ConvkitError } from '../util/errors.js';
import { mapLimit } from '../util/map-limit.js';
import { CONVKIT_VERSION } from '../version.js';

export interface GtsrbAnalysisOptions {
  out: string;
  testGt?: string;
  /** Skip unreadable images and bad CSV rows (counted in the summary) instead of failing. */
  skipBad?: boolean;
  /** Training images shown per class in the sample grid. */
  samplesPerClass?: number;
  log?: (msg: string) => void;
}

export interface Histogram {
  /** Bin edges, one more than counts; the last bin includes its right edge. */
  edges: number[];
  train: number[];
  test: number[];
}

export interface Stats {
  count: number;
  min: number;
  max: number;
  mean: number;
  median: number;
}

export interface MeasureSummary {
  train: Stats;
  test: Stats;
  histogram: Histogram;
}

/** The four measures of image size, from the CSV columns or from the files themselves. */
export interface SizeSummary {
  width: MeasureSummary;
  height: MeasureSummary;
  ratio: MeasureSummary;
  area: MeasureSummary;
}

export interface GtsrbSummary {
  dataset: 'gtsrb';
  root: string;
  layout: GtsrbIndex['layout'];
  created: string;
  convkit_version: string;
  counts: { train: number; test: number; meta: number; classes: number };
  classes: { id: number; name: string; train: number; test: number }[];
  /** `csv`: Width/Height columns; `file`: the decoded images. They differ on copies resized after the CSVs were written. */
  sizes: { csv: SizeSummary; file: SizeSummary };
  /** Images whose real size differs from the CSV's Width/Height (their ROI is scaled when cropped). */
  size_mismatch: { train: number; test: number };
  skipped: { count: number; items: GtsrbSkip[] };
  files: { report: string; summary: string };
}

interface Measured {
  sample: GtsrbSample;
  width: number;
  height: number;
}

const MEASURES = ['width', 'height', 'ratio', 'area'] as const;
type Measure = (typeof MEASURES)[number];

function measure(m: Measure, w: number, h: number): number {
  return m === 'width' ? w : m === 'height' ? h : m === 'ratio' ? w / h : w * h;
}

function stats(values: number[]): Stats {
  if (!values.length) return { count: 0, min: 0, max: 0, mean: 0, median: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return {
    count: values.length,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    mean: values.reduce((s, v) => s + v, 0) / values.length,
    median: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
  };
}

/** A bin width of 1, 2 or 5 × 10^k giving about `target` bins over [lo, hi]. */
function niceStep(lo: number, hi: number, target: number): number {
  const raw = (hi - lo) / target;
  if (raw <= 0) return 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw)!;
}

export function histogram(train: number[], test: number[], target = 24): Histogram {
  const all = [...train, ...test];
  if (!all.length) return { edges: [0, 1], train: [0], test: [0] };
  // a loop, not Math.min(...all): spreading 50,000 values nears the engine's argument limit
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of all) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const step = niceStep(lo, hi, target);
  const start = Math.floor(lo / step) * step;
  const bins = hi === lo ? 1 : Math.max(1, Math.ceil((hi - start) / step - 1e-9));
  const edges = Array.from({ length: bins + 1 }, (_, i) => +(start + i * step).toPrecision(12));
  const count = (vs: number[]) => {
    const c = new Array<number>(bins).fill(0);
    for (const v of vs) c[Math.min(bins - 1, Math.floor((v - start) / step + 1e-9))]++;
    return c;
  };
  return { edges, train: count(train), test: count(test) };
}

function summariseSizes(train: { w: number; h: number }[], test: { w: number; h: number }[]): SizeSummary {
  const out = {} as SizeSummary;
  for (const m of MEASURES) {
    const a = train.map((s) => measure(m, s.w, s.h));
    const b = test.map((s) => measure(m, s.w, s.h));
    out[m] = { train: stats(a), test: stats(b), histogram: histogram(a, b) };
  }
  return out;
}

/** Decodes every image (to check it and learn its real size), collecting bad ones in file order under `skipBad`. */
async function measureAll(samples: GtsrbSample[], skipBad: boolean, skipped: GtsrbSkip[]): Promise<Measured[]> {
  const results = await mapLimit(samples, 16, async (sample): Promise<Measured | GtsrbSkip> => {
    try {
      const img = await readGtsrbImage(sample);
      return { sample, width: img.width, height: img.height };
    } catch (e) {
      if (!skipBad || !(e instanceof ConvkitError)) throw e;
      return { file: e.file ?? sample.file, reason: e.reason };
    }
  });
  const measured: Measured[] = [];
  for (const r of results) {
    if ('sample' in r) measured.push(r);
    else skipped.push(r);
  }
  return measured;
}

/** A PNG data URI at most `height` pixels high; smaller images stay as they are (the page scales them up). */
async function thumbnail(img: RawImage, height: number): Promise<string> {
  const { default: sharp } = await import('sharp'); // loaded on first use, not when convkit is imported
  let pipeline = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: img.channels },
  });
  if (img.height > height) pipeline = pipeline.resize({ height, width: Math.max(1, Math.round((img.width * height) / img.height)), fit: 'fill' });
  const png = await pipeline.png({ compressionLevel: 9 }).toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** Indices `count` evenly spread over `n` items: GTSRB trains in tracks of ~30 shots of one sign, so neighbours look alike. */
function spread(n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: count }, (_, k) => Math.floor((k * n) / count));
}

export async function analyseGtsrb(root: string, opts: GtsrbAnalysisOptions): Promise<GtsrbSummary> {
  const log = opts.log ?? (() => {});
  const skipBad = opts.skipBad ?? false;
  const index = await indexGtsrb(root, { testGt: opts.testGt, skipBad });
  const skipped = [...index.skipped];
  log(`indexed ${index.train.length} training and ${index.test.length} test images (${index.layout} layout)`);
  const train = await measureAll(index.train, skipBad, skipped);
  const test = await measureAll(index.test, skipBad, skipped);
  log(`decoded ${train.length + test.length} images${skipped.length ? `, skipped ${skipped.length}` : ''}`);

  const numClasses = index.classNames.length;
  const classes = index.classNames.map((name, id) => ({ id, name, train: 0, test: 0 }));
  for (const m of train) classes[m.sample.classId].train++;
  for (const m of test) classes[m.sample.classId].test++;
  const csvSize = (ms: Measured[]) => ms.map((m) => ({ w: m.sample.width, h: m.sample.height }));
  const fileSize = (ms: Measured[]) => ms.map((m) => ({ w: m.width, h: m.height }));
  const mismatch = (ms: Measured[]) => ms.filter((m) => m.width !== m.sample.width || m.height !== m.sample.height).length;

  const perClass = new Map<number, Measured[]>();
  for (const m of train) {
    const list = perClass.get(m.sample.classId);
    if (list) list.push(m);
    else perClass.set(m.sample.classId, [m]);
  }
  const samplesPerClass = opts.samplesPerClass ?? 8;
  const grid: { id: number; thumbs: string[] }[] = [];
  for (let id = 0; id < numClasses; id++) {
    const ms = perClass.get(id) ?? [];
    grid.push({ id, thumbs: await mapLimit(spread(ms.length, samplesPerClass), 8, async (i) => thumbnail(await readGtsrbImage(ms[i].sample), 40)) });
  }
  const meta: { id: number; thumb: string }[] = [];
  for (const s of index.meta) {
    try {
      meta.push({ id: s.classId, thumb: await thumbnail(await readGtsrbImage(s), 56) });
    } catch (e) {
      if (!skipBad || !(e instanceof ConvkitError)) throw e;
      // the meta picture is a training image: if it is bad, it was already skipped (and counted) as one
      const file = e.file ?? s.file;
      if (!skipped.some((k) => k.file === file && k.reason === e.reason)) skipped.push({ file, reason: e.reason });
    }
  }

  const summary: GtsrbSummary = {
    dataset: 'gtsrb',
    root: index.root,
    layout: index.layout,
    created: new Date().toISOString(),
    convkit_version: CONVKIT_VERSION,
    counts: { train: train.length, test: test.length, meta: meta.length, classes: numClasses },
    classes,
    sizes: { csv: summariseSizes(csvSize(train), csvSize(test)), file: summariseSizes(fileSize(train), fileSize(test)) },
    size_mismatch: { train: mismatch(train), test: mismatch(test) },
    skipped: { count: skipped.length, items: skipped },
    files: { report: path.join(opts.out, 'report.html'), summary: path.join(opts.out, 'summary.json') },
  };
  await writeFileAtomic(summary.files.report, renderReport(summary, grid, meta, index.layout));
  await writeJsonAtomic(summary.files.summary, summary);
  return summary;
}

// ---------------------------------------------------------------- HTML

const TRAIN_COLOR = '#3b6fb6';
const TEST_COLOR = '#e8923a';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 2 : 1);
}

/** Stacked bars (train below, test above), one per label, as inline SVG. */
function stackedBars(opts: { title: string; labels: string[]; tips: string[]; train: number[]; test: number[]; width: number; height: number; xTitle: string }): string {
  const { labels, train, test, width, height } = opts;
  const left = 44;
  const bottom = 34;
  const top = 22;
  const plotW = width - left - 8;
  const plotH = height - top - bottom;
  const max = Math.max(1, ...train.map((t, i) => t + test[i]));
  const step = niceStep(0, max, 4);
  const yMax = Math.ceil(max / step) * step;
  const bw = plotW / labels.length;
  const y = (v: number) => top + plotH - (v / yMax) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${left}" y="14" class="t">${esc(opts.title)}</text>`);
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(v)}" y2="${y(v)}" class="g"/><text x="${left - 4}" y="${y(v) + 3}" class="yl">${fmt(v)}</text>`);
  }
  const labelEvery = Math.ceil(labels.length / Math.floor(plotW / 26));
  labels.forEach((label, i) => {
    const x = left + i * bw;
    const tip = `<title>${esc(opts.tips[i])}: ${train[i]} train, ${test[i]} test</title>`;
    parts.push(`<rect x="${x + 0.5}" y="${y(train[i])}" width="${Math.max(0.5, bw - 1)}" height="${y(0) - y(train[i])}" fill="${TRAIN_COLOR}">${tip}</rect>`);
    parts.push(`<rect x="${x + 0.5}" y="${y(train[i] + test[i])}" width="${Math.max(0.5, bw - 1)}" height="${y(train[i]) - y(train[i] + test[i])}" fill="${TEST_COLOR}">${tip}</rect>`);
    if (i % labelEvery === 0) parts.push(`<text x="${x + bw / 2}" y="${top + plotH + 12}" class="xl">${esc(label)}</text>`);
  });
  parts.push(`<text x="${left + plotW / 2}" y="${height - 4}" class="xt">${esc(opts.xTitle)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}

const MEASURE_TITLES: Record<Measure, string> = { width: 'width (px)', height: 'height (px)', ratio: 'ratio width / height', area: 'size width × height (px²)' };
const MEASURE_SHORT: Record<Measure, string> = { width: 'width', height: 'height', ratio: 'ratio', area: 'size (area)' };

function sizeCharts(s: SizeSummary, source: string): string {
  return MEASURES.map((m) => {
    const h = s[m].histogram;
    const labels = h.edges.slice(0, -1).map(fmt);
    const tips = labels.map((l, i) => `[${l}, ${fmt(h.edges[i + 1])}${i === labels.length - 1 ? ']' : ')'}`);
    const chart = stackedBars({ title: `${MEASURE_SHORT[m]} — ${source}`, labels, tips, train: h.train, test: h.test, width: 262, height: 180, xTitle: MEASURE_TITLES[m] });
    const st = (x: Stats) => `${fmt(x.min)}–${fmt(x.max)}, median ${fmt(x.median)}, mean ${fmt(x.mean)}`;
    return `<figure>${chart}<figcaption>train ${st(s[m].train)}<br>test ${st(s[m].test)}</figcaption></figure>`;
  }).join('');
}

function renderReport(s: GtsrbSummary, grid: { id: number; thumbs: string[] }[], meta: { id: number; thumb: string }[], layout: GtsrbIndex['layout']): string {
  const metaById = new Map(meta.map((m) => [m.id, m.thumb]));
  const classChart = stackedBars({
    title: 'images per class',
    labels: s.classes.map((c) => String(c.id)),
    tips: s.classes.map((c) => `${c.id} ${c.name}`),
    train: s.classes.map((c) => c.train),
    test: s.classes.map((c) => c.test),
    width: 1000,
    height: 240,
    xTitle: 'class id',
  });
  const mismatch = s.size_mismatch.train + s.size_mismatch.test;
  const notes: string[] = [];
  if (mismatch) {
    notes.push(
      `${mismatch} of ${s.counts.train + s.counts.test} images have a real size that differs from the CSV's Width/Height ` +
        `(a copy resized after the CSVs were written): both are shown, and ROIs are scaled to the real size when cropped.`,
    );
  }
  if (s.skipped.count) notes.push(`${s.skipped.count} bad image(s) or row(s) skipped (listed at the end).`);
  const metaNote =
    layout === 'kaggle' ? 'the pictograms of Meta.csv' : 'the official layout ships no pictograms: the closest shot of the first track of each class stands in';
  const rows = s.classes
    .map((c) => {
      const thumbs = grid[c.id].thumbs.map((t) => `<img src="${t}" alt="">`).join('');
      const m = metaById.get(c.id);
      return `<tr><td class="n">${c.id}</td><td>${m ? `<img src="${m}" alt="" class="meta">` : ''}</td><td>${esc(c.name)}</td><td class="n">${c.train}</td><td class="n">${c.test}</td><td class="thumbs">${thumbs}</td></tr>`;
    })
    .join('\n');
  const metaGrid = meta
    .map((m) => `<figure class="sign"><img src="${m.thumb}" alt=""><figcaption>${m.id} ${esc(s.classes[m.id].name)}</figcaption></figure>`)
    .join('');
  const skippedList = s.skipped.items.map((k) => `<li><code>${esc(k.file)}${k.line !== undefined ? `:${k.line}` : ''}</code> ${esc(k.reason)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>GTSRB analysis — ${esc(s.root)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.sub{color:#666}.kpi{display:flex;gap:28px;margin:14px 0}.kpi div{font-size:13px;color:#555}.kpi b{display:block;font-size:22px;color:#222}
.legend span{display:inline-block;width:11px;height:11px;margin:0 4px 0 12px;vertical-align:-1px}
svg .t{font-size:12px;font-weight:600}svg .g{stroke:#e6e6e6}svg .yl{font-size:10px;text-anchor:end;fill:#666}
svg .xl{font-size:9px;text-anchor:middle;fill:#666}svg .xt{font-size:10px;text-anchor:middle;fill:#444}
.charts{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0}figcaption{font-size:11px;color:#555;max-width:262px}
table{border-collapse:collapse}td,th{padding:3px 6px;border-bottom:1px solid #eee;text-align:left;vertical-align:middle}
td.n{text-align:right;font-variant-numeric:tabular-nums}.thumbs img{height:40px;margin-right:2px;image-rendering:pixelated}
img.meta{height:32px}.signs{display:flex;flex-wrap:wrap;gap:10px}.sign{width:96px;text-align:center}.sign img{height:56px;image-rendering:pixelated}
.note{background:#fff6e0;border-left:3px solid #e8923a;padding:6px 10px;margin:8px 0}
</style></head><body>
<h1>GTSRB dataset analysis</h1>
<div class="sub">${esc(s.root)} · ${s.layout} layout · convkit ${esc(s.convkit_version)} · ${esc(s.created)}</div>
<div class="kpi"><div><b>${s.counts.train}</b>training images</div><div><b>${s.counts.test}</b>test images</div><div><b>${s.counts.classes}</b>classes</div><div><b>${s.skipped.count}</b>skipped</div></div>
${notes.map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
<h2>Images per class</h2>
<div class="legend"><span style="background:${TRAIN_COLOR}"></span>train<span style="background:${TEST_COLOR}"></span>test</div>
${classChart}
<h2>Sizes as given by the CSV (Width, Height)</h2>
<div class="charts">${sizeCharts(s.sizes.csv, 'CSV')}</div>
<h2>Sizes of the image files</h2>
<div class="charts">${sizeCharts(s.sizes.file, 'files')}</div>
<h2>Meta signs</h2>
<p class="sub">One picture per class: ${esc(metaNote)}.</p>
<div class="signs">${metaGrid}</div>
<h2>Classes and training samples</h2>
<table><tr><th>id</th><th>sign</th><th>name</th><th>train</th><th>test</th><th>samples (spread over the class)</th></tr>
${rows}
</table>
${s.skipped.count ? `<h2>Skipped</h2><ul>${skippedList}</ul>` : ''}
</body></html>
`;
}
