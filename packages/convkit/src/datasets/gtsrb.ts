import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ConvkitError } from '../util/errors.js';
import { readImage } from './image-file.js';
import { toRgb } from '../image/raw-image.js';
import type { RawImage } from './pnm.js';

/** The 43 GTSRB classes in English, index = ClassId. */
export const GTSRB_CLASS_NAMES: string[] = [
  'Speed limit (20km/h)',
  'Speed limit (30km/h)',
  'Speed limit (50km/h)',
  'Speed limit (60km/h)',
  'Speed limit (70km/h)',
  'Speed limit (80km/h)',
  'End of speed limit (80km/h)',
  'Speed limit (100km/h)',
  'Speed limit (120km/h)',
  'No passing',
  'No passing for vehicles over 3.5 metric tons',
  'Right-of-way at the next intersection',
  'Priority road',
  'Yield',
  'Stop',
  'No vehicles',
  'Vehicles over 3.5 metric tons prohibited',
  'No entry',
  'General caution',
  'Dangerous curve to the left',
  'Dangerous curve to the right',
  'Double curve',
  'Bumpy road',
  'Slippery road',
  'Road narrows on the right',
  'Road work',
  'Traffic signals',
  'Pedestrians',
  'Children crossing',
  'Bicycles crossing',
  'Beware of ice/snow',
  'Wild animals crossing',
  'End of all speed and passing limits',
  'Turn right ahead',
  'Turn left ahead',
  'Ahead only',
  'Go straight or right',
  'Go straight or left',
  'Keep right',
  'Keep left',
  'Roundabout mandatory',
  'End of no passing',
  'End of no passing by vehicles over 3.5 metric tons',
];

export const GTSRB_NUM_CLASSES = GTSRB_CLASS_NAMES.length;

/** Region of interest in the CSV's coordinates; x2/y2 are exclusive, as in Fidle's `image[y1:y2, x1:x2]`. */
export interface GtsrbRoi {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** One image named by a CSV row. `width`/`height` are the CSV's values, which may differ from the file's real size. */
export interface GtsrbSample {
  file: string;
  classId: number;
  width: number;
  height: number;
  roi: GtsrbRoi;
  /** The CSV that named the image, and its 1-based line (header = line 1). */
  csv: string;
  line: number;
}

export interface GtsrbSkip {
  file: string;
  line?: number;
  reason: string;
}

export interface GtsrbIndex {
  /** The folder that holds `Final_Training/` (official) or `Train.csv` (Kaggle). */
  root: string;
  layout: 'official' | 'kaggle';
  train: GtsrbSample[];
  test: GtsrbSample[];
  /**
   * One picture per class: the Kaggle layout's Meta images; for the official layout (which ships none),
   * the closest shot (largest CSV size) of the class's first track, its clearest picture.
   */
  meta: GtsrbSample[];
  classNames: string[];
  /** Rows or folders left out under `skipBad`, each with its cause. */
  skipped: GtsrbSkip[];
}

/**
 * The physical sign a training image shows: official training files are named `TTTTT_NNNNN` (track, image of the
 * track; about 30 images per track) and the Kaggle layout keeps that name after the class (`CC_TTTTT_NNNNN`). Track
 * numbers restart in every class, so the id is `classId × 100000 + track`; -1 when the name carries no track (test
 * images, other datasets).
 */
export function gtsrbTrackId(sample: Pick<GtsrbSample, 'file' | 'classId'>): number {
  const m = /(?:^|_)(\d{5})_(\d{5})\.[a-z]+$/i.exec(path.basename(sample.file));
  return m ? sample.classId * 100000 + Number(m[1]) : -1;
}

export interface GtsrbIndexOptions {
  /** Ground-truth CSV of the official test set, when it is not in `Final_Test/` or `Final_Test/Images/`. */
  testGt?: string;
  /** Another GTSRB folder whose `Final_Test/` supplies the test set (a training-only copy, such as /tmp/gtsrb). */
  testRoot?: string;
  /** Skip bad rows and class folders (recorded in `skipped`) instead of failing on the first one. */
  skipBad?: boolean;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

/** Lists each directory once: checking 50,000 rows against a cached listing beats 50,000 stat calls. */
class DirListing {
  private readonly cache = new Map<string, Promise<Set<string>>>();
  has(file: string): Promise<boolean> {
    const dir = path.dirname(file);
    let names = this.cache.get(dir);
    if (!names) {
      names = fs.readdir(dir).then(
        (n) => new Set(n),
        () => new Set<string>(),
      );
      this.cache.set(dir, names);
    }
    return names.then((n) => n.has(path.basename(file)));
  }
}

interface CsvTable {
  file: string;
  columns: Map<string, number>;
  /** Data rows with their 1-based line numbers; blank lines are dropped. */
  rows: { line: number; cells: string[] }[];
}

async function readCsv(file: string, required: string[]): Promise<CsvTable> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new ConvkitError((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing CSV' : 'cannot read CSV', { file });
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0] ?? '';
  // The official CSVs use ';', the Kaggle ones ','.
  const sep = header.includes(';') ? ';' : ',';
  const names = header.split(sep).map((s) => s.trim());
  const columns = new Map(names.map((n, i) => [n, i]));
  if (!header.trim()) throw new ConvkitError('empty CSV (no header line)', { file, line: 1 });
  const missing = required.filter((r) => !columns.has(r));
  if (missing.length) throw new ConvkitError(`CSV header lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, { file, line: 1 });
  const rows: CsvTable['rows'] = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    rows.push({ line: i + 1, cells: lines[i].split(sep).map((s) => s.trim()) });
  }
  return { file, columns, rows };
}

const ROI_COLUMNS = ['Width', 'Height', 'Roi.X1', 'Roi.Y1', 'Roi.X2', 'Roi.Y2', 'ClassId'];

/** Reads one row into a sample, or throws a ConvkitError naming the CSV line. */
function parseRow(table: CsvTable, row: CsvTable['rows'][number], fileColumn: string, resolveFile: (name: string) => string): GtsrbSample {
  const where = { file: table.file, line: row.line };
  const cell = (name: string): string => row.cells[table.columns.get(name)!] ?? '';
  const name = cell(fileColumn);
  if (!name) throw new ConvkitError(`empty ${fileColumn} field`, where);
  const num = (col: string): number => {
    const v = cell(col);
    if (!/^-?\d+$/.test(v)) throw new ConvkitError(`${col} "${v}" is not an integer`, where);
    return Number(v);
  };
  const [width, height, x1, y1, x2, y2, classId] = ROI_COLUMNS.map(num);
  if (classId < 0 || classId >= GTSRB_NUM_CLASSES) throw new ConvkitError(`ClassId ${classId} out of range 0–${GTSRB_NUM_CLASSES - 1}`, where);
  if (width <= 0 || height <= 0) throw new ConvkitError(`size ${width}×${height} is not positive`, where);
  if (x1 < 0 || y1 < 0 || x2 <= x1 || y2 <= y1) throw new ConvkitError(`ROI (${x1},${y1})–(${x2},${y2}) is empty or negative`, where);
  return { file: resolveFile(name), classId, width, height, roi: { x1, y1, x2, y2 }, csv: table.file, line: row.line };
}

interface RowReadOptions {
  fileColumn: string;
  resolveFile: (name: string) => string;
  listing: DirListing;
  skipBad: boolean;
  skipped: GtsrbSkip[];
  /** Extra per-row check, e.g. the class folder's own class id. */
  check?: (s: GtsrbSample) => string | undefined;
}

async function samplesOf(table: CsvTable, o: RowReadOptions): Promise<GtsrbSample[]> {
  const out: GtsrbSample[] = [];
  for (const row of table.rows) {
    try {
      const s = parseRow(table, row, o.fileColumn, o.resolveFile);
      const wrong = o.check?.(s);
      if (wrong) throw new ConvkitError(wrong, { file: table.file, line: row.line });
      if (!(await o.listing.has(s.file))) throw new ConvkitError(`names a missing file ${path.relative(path.dirname(table.file), s.file)}`, { file: table.file, line: row.line });
      out.push(s);
    } catch (e) {
      if (!o.skipBad || !(e instanceof ConvkitError)) throw e;
      o.skipped.push({ file: table.file, line: row.line, reason: e.reason });
    }
  }
  return out;
}

/** Training files are named TTTTT_SSSSS.ppm (track, shot); a track approaches one sign, so its largest shot is the sharpest. */
function closestOfFirstTrack(samples: GtsrbSample[]): GtsrbSample {
  const track = (s: GtsrbSample) => path.basename(s.file).split('_')[0];
  const first = track(samples[0]);
  let best = samples[0];
  for (const s of samples) if (track(s) === first && s.width * s.height >= best.width * best.height) best = s;
  return best;
}

/** Finds where the dataset starts: ROOT may hold `GTSRB/`, be `GTSRB/` itself, or hold the Kaggle CSVs. */
async function locate(root: string): Promise<{ layout: 'official' | 'kaggle'; base: string }> {
  if (!(await isDir(root))) throw new ConvkitError('not a directory', { file: root });
  if (await isFile(path.join(root, 'Train.csv'))) return { layout: 'kaggle', base: root };
  for (const base of [path.join(root, 'GTSRB'), root]) {
    if (await isDir(path.join(base, 'Final_Training'))) return { layout: 'official', base };
  }
  throw new ConvkitError('not a GTSRB folder: found neither GTSRB/Final_Training/, Final_Training/ nor Train.csv', { file: root });
}

/** The folder holding `Final_Test/` in a GTSRB root given only for its test set. */
async function locateTest(root: string): Promise<string> {
  for (const base of [path.join(root, 'GTSRB'), root]) if (await isDir(path.join(base, 'Final_Test'))) return base;
  throw new ConvkitError('no GTSRB test set here: found neither GTSRB/Final_Test/ nor Final_Test/', { file: root });
}

async function indexOfficial(base: string, opts: GtsrbIndexOptions, listing: DirListing, skipped: GtsrbSkip[]): Promise<Pick<GtsrbIndex, 'train' | 'test' | 'meta'>> {
  const skipBad = opts.skipBad ?? false;
  const imagesDir = path.join(base, 'Final_Training', 'Images');
  if (!(await isDir(imagesDir))) throw new ConvkitError('missing folder Final_Training/Images', { file: imagesDir });
  const classDirs = (await fs.readdir(imagesDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  if (!classDirs.length) throw new ConvkitError('no class folder (000NN/) in Final_Training/Images', { file: imagesDir });
  const train: GtsrbSample[] = [];
  const meta: GtsrbSample[] = [];
  for (const name of classDirs) {
    const dir = path.join(imagesDir, name);
    const folderClass = /^\d+$/.test(name) ? Number(name) : undefined;
    try {
      if (folderClass === undefined || folderClass >= GTSRB_NUM_CLASSES) throw new ConvkitError(`class folder name is not a class id 00000–000${GTSRB_NUM_CLASSES - 1}`, { file: dir });
      const entries = await fs.readdir(dir);
      if (!entries.length) throw new ConvkitError('empty class folder', { file: dir });
      const csv = path.join(dir, `GT-${name}.csv`);
      if (!entries.includes(`GT-${name}.csv`)) throw new ConvkitError('missing CSV', { file: csv });
      const table = await readCsv(csv, ['Filename', ...ROI_COLUMNS]);
      const samples = await samplesOf(table, {
        fileColumn: 'Filename',
        resolveFile: (f) => path.join(dir, f),
        listing,
        skipBad,
        skipped,
        check: (s) => (s.classId !== folderClass ? `ClassId ${s.classId} in the folder of class ${folderClass}` : undefined),
      });
      if (!samples.length) throw new ConvkitError('empty class folder (its CSV lists no usable image)', { file: csv });
      train.push(...samples);
      meta.push(closestOfFirstTrack(samples));
    } catch (e) {
      if (!skipBad || !(e instanceof ConvkitError)) throw e;
      skipped.push({ file: e.file ?? dir, line: e.line, reason: e.reason });
    }
  }
  const testBase = opts.testRoot ? await locateTest(opts.testRoot) : base;
  // A copy of the training set alone (no Final_Test/): the test images come from another folder, named on the command line.
  if (!opts.testRoot && !opts.testGt && !(await isDir(path.join(base, 'Final_Test')))) {
    throw new ConvkitError('no Final_Test/ here (a copy of the training set alone?): name a GTSRB folder holding the test images with --test-root DIR', { file: base });
  }
  const testImages = path.join(testBase, 'Final_Test', 'Images');
  const candidates = opts.testGt ? [opts.testGt] : [path.join(testBase, 'Final_Test', 'GT-final_test.csv'), path.join(testImages, 'GT-final_test.csv')];
  let gt: string | undefined;
  for (const c of candidates) if (await isFile(c)) gt = c;
  if (!gt) {
    throw new ConvkitError(
      opts.testGt ? 'missing CSV (given with --test-gt)' : 'missing CSV GT-final_test.csv (looked in Final_Test/ and Final_Test/Images/; give its path with --test-gt)',
      { file: opts.testGt ?? candidates[0] },
    );
  }
  const table = await readCsv(gt, ['Filename', ...ROI_COLUMNS]);
  const test = await samplesOf(table, { fileColumn: 'Filename', resolveFile: (f) => path.join(testImages, f), listing, skipBad, skipped });
  return { train, test, meta };
}

async function indexKaggle(base: string, opts: GtsrbIndexOptions, listing: DirListing, skipped: GtsrbSkip[]): Promise<Pick<GtsrbIndex, 'train' | 'test' | 'meta'>> {
  const skipBad = opts.skipBad ?? false;
  const resolveFile = (p: string) => path.join(base, ...p.split(/[\\/]/));
  const read = async (name: string) => {
    const table = await readCsv(path.join(base, name), ['Path', ...ROI_COLUMNS]);
    return samplesOf(table, { fileColumn: 'Path', resolveFile, listing, skipBad, skipped });
  };
  const train = await read('Train.csv');
  const test = await read('Test.csv');
  // Meta.csv names one pictogram per class and gives no size or ROI: take the file's own size, whole image.
  const meta: GtsrbSample[] = [];
  const metaCsv = path.join(base, 'Meta.csv');
  if (await isFile(metaCsv)) {
    const table = await readCsv(metaCsv, ['Path', 'ClassId']);
    for (const row of table.rows) {
      const where = { file: metaCsv, line: row.line };
      try {
        const p = row.cells[table.columns.get('Path')!] ?? '';
        const c = row.cells[table.columns.get('ClassId')!] ?? '';
        if (!/^\d+$/.test(c)) throw new ConvkitError(`ClassId "${c}" is not an integer`, where);
        const classId = Number(c);
        if (classId >= GTSRB_NUM_CLASSES) throw new ConvkitError(`ClassId ${classId} out of range 0–${GTSRB_NUM_CLASSES - 1}`, where);
        const file = resolveFile(p);
        if (!p || !(await listing.has(file))) throw new ConvkitError(`names a missing file ${p}`, where);
        const { width, height } = await imageSize(file);
        meta.push({ file, classId, width, height, roi: { x1: 0, y1: 0, x2: width, y2: height }, csv: metaCsv, line: row.line });
      } catch (e) {
        if (!skipBad || !(e instanceof ConvkitError)) throw e;
        skipped.push({ file: e.file ?? metaCsv, line: e.line, reason: e.reason });
      }
    }
    meta.sort((a, b) => a.classId - b.classId);
  }
  return { train, test, meta };
}

async function imageSize(file: string): Promise<{ width: number; height: number }> {
  const img = await readImage(file);
  return { width: img.width, height: img.height };
}

/**
 * Reads the CSVs of a GTSRB folder (official or Kaggle layout) and checks every row: numbers, class ids,
 * ROI, and that the named file exists. Pixels are not read here (see `readGtsrbImage`).
 */
export async function indexGtsrb(root: string, opts: GtsrbIndexOptions = {}): Promise<GtsrbIndex> {
  const { layout, base } = await locate(root);
  const listing = new DirListing();
  const skipped: GtsrbSkip[] = [];
  const parts = layout === 'official' ? await indexOfficial(base, opts, listing, skipped) : await indexKaggle(base, opts, listing, skipped);
  if (!parts.train.length) throw new ConvkitError('no training image found', { file: base });
  return { root: base, layout, ...parts, classNames: GTSRB_CLASS_NAMES, skipped };
}

/** The ROI in the image's own pixels: scaled by realSize / csvSize when a copy was resized after its CSV was written. */
export function scaledRoi(sample: Pick<GtsrbSample, 'width' | 'height' | 'roi'>, realWidth: number, realHeight: number): GtsrbRoi {
  const sx = realWidth / sample.width;
  const sy = realHeight / sample.height;
  const x1 = Math.min(realWidth - 1, Math.max(0, Math.round(sample.roi.x1 * sx)));
  const y1 = Math.min(realHeight - 1, Math.max(0, Math.round(sample.roi.y1 * sy)));
  const x2 = Math.max(x1 + 1, Math.min(realWidth, Math.round(sample.roi.x2 * sx)));
  const y2 = Math.max(y1 + 1, Math.min(realHeight, Math.round(sample.roi.y2 * sy)));
  return { x1, y1, x2, y2 };
}

function crop(img: RawImage, r: GtsrbRoi): RawImage {
  const w = r.x2 - r.x1;
  const h = r.y2 - r.y1;
  const c = img.channels;
  const out = new Uint8Array(w * h * c);
  for (let y = 0; y < h; y++) {
    const from = ((r.y1 + y) * img.width + r.x1) * c;
    out.set(img.data.subarray(from, from + w * c), y * w * c);
  }
  return { data: out, width: w, height: h, channels: img.channels };
}

/** Decodes one sample as 8-bit RGB; with `roi`, crops its ROI (scaled to the file's real size). */
export async function readGtsrbImage(sample: GtsrbSample, opts: { roi?: boolean } = {}): Promise<RawImage> {
  const img = toRgb(await readImage(sample.file));
  return opts.roi ? crop(img, scaledRoi(sample, img.width, img.height)) : img;
}
