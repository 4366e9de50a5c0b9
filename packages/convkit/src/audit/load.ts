import { createHash } from 'node:crypto';
import path from 'node:path';
import { gtsrbTrackId, indexGtsrb, readGtsrbImage, type GtsrbSample } from '../datasets/gtsrb.js';
import { GTSRB_DIRECT_SIZE, gtsrbRoot, looksLikeGtsrb } from '../datasets/gtsrb-folder.js';
import { isH5Path, loadDataset } from '../datasets/index.js';
import type { ImageDataset, ImageSplit } from '../datasets/types.js';
import { LUMA_WEIGHTS } from '../image/color.js';
import { classNamesFor } from '../report/class-names.js';
import { mapLimit } from '../util/map-limit.js';
import type { AuditData, AuditSplitName } from './audit-types.js';

/** One split as the audit reads it: the images as analysed, plus what says where each came from. */
export interface AuditSplit extends ImageSplit {
  /** The image files (GTSRB folders), null for sets held in one file. */
  files: string[] | null;
  /** Original width and height per image (GTSRB: the CSV's, the size the sign was captured at), null when unknown. */
  sizes: Int32Array | null;
  /** SHA-256 of each image's pixels as decoded (at its original size): equal digests = exact duplicates. */
  digests: string[];
}

export interface LoadedAuditData {
  info: AuditData;
  classNames: string[];
  train: AuditSplit;
  test: AuditSplit;
}

export interface AuditLoadOptions {
  /** GTSRB folders: take the test set from this GTSRB folder's Final_Test/ (for a copy of the training set alone). */
  testRoot?: string;
  log?: (m: string) => void;
}

/** How an image is named in audit.json: its path, or `train index N` for sets held in one file. */
export function imageName(split: AuditSplit, name: AuditSplitName, index: number): string {
  return split.files ? split.files[index] : `${name} index ${index}`;
}

function digest(width: number, height: number, channels: number, bytes: Uint8Array): string {
  return createHash('sha256').update(`${width}x${height}x${channels};`).update(bytes).digest('hex');
}

/** GTSRB folder: every image decoded once, its digest and CSV size kept, resized whole to 32×32 RGB (as `--data gtsrb:ROOT`). */
async function loadGtsrbSplit(samples: GtsrbSample[], size: number, what: string, log: (m: string) => void): Promise<AuditSplit> {
  const { toSize } = await import('../image/to-size.js');
  const pixels = size * size * 3;
  const x = new Uint8Array(samples.length * pixels);
  const digests = new Array<string>(samples.length);
  let done = 0;
  let shown = 0;
  await mapLimit(samples, 8, async (s, i) => {
    const img = await readGtsrbImage(s);
    digests[i] = digest(img.width, img.height, img.channels, img.data);
    x.set(await toSize(img, size, size, 3), i * pixels);
    const pct = Math.floor((100 * ++done) / samples.length / 10) * 10;
    if (pct > shown && pct < 100) {
      shown = pct;
      log(`convkit audit: reading ${what}: ${pct} % (${done}/${samples.length})`);
    }
  });
  const sizes = new Int32Array(samples.length * 2);
  samples.forEach((s, i) => sizes.set([s.width, s.height], 2 * i));
  const tracks = Int32Array.from(samples, gtsrbTrackId);
  const split: AuditSplit = { x, y: Int32Array.from(samples, (s) => s.classId), count: samples.length, files: samples.map((s) => s.file), sizes, digests };
  return tracks.some((t) => t >= 0) ? { ...split, tracks } : split;
}

/** A split of a set held in memory: digests of the stored pixels; no files, no original sizes. */
function fromImageSplit(split: ImageSplit, pixels: number, shape: [number, number, number]): AuditSplit {
  const digests = new Array<string>(split.count);
  for (let i = 0; i < split.count; i++) {
    const part = split.x.subarray(i * pixels, (i + 1) * pixels);
    digests[i] = digest(shape[1], shape[0], shape[2], new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
  }
  return { ...split, files: null, sizes: null, digests };
}

/**
 * Reads DATA as `convkit audit` takes it: a GTSRB folder (`gtsrb:ROOT` or the folder itself: per-image files, CSV
 * sizes and track ids), a prepared `.h5` set, or any other `--data` source (MNIST family, IDX folders).
 */
export async function loadAuditData(spec: string, opts: AuditLoadOptions = {}): Promise<LoadedAuditData> {
  const log = opts.log ?? (() => {});
  if (spec.startsWith('gtsrb:') || (!isH5Path(spec) && (await looksLikeGtsrb(spec)))) {
    const index = await indexGtsrb(gtsrbRoot(spec), { testRoot: opts.testRoot });
    log(`convkit audit: ${index.root}: ${index.train.length} training and ${index.test.length} test images`);
    const size = GTSRB_DIRECT_SIZE;
    const train = await loadGtsrbSplit(index.train, size, 'train', log);
    const test = await loadGtsrbSplit(index.test, size, 'test', log);
    return {
      info: {
        spec,
        kind: 'gtsrb-folder',
        source: path.resolve(index.root),
        ...(opts.testRoot ? { test_source: path.resolve(opts.testRoot) } : {}),
        height: size,
        width: size,
        channels: 3,
        numClasses: index.classNames.length,
        train: train.count,
        test: test.count,
        tracks: Boolean(train.tracks),
      },
      classNames: index.classNames,
      train,
      test,
    };
  }
  const d: ImageDataset = await loadDataset(spec, { log });
  const pixels = d.height * d.width * d.channels;
  const shape: [number, number, number] = [d.height, d.width, d.channels];
  const train = fromImageSplit(d.train, pixels, shape);
  const test = fromImageSplit(d.test, pixels, shape);
  return {
    info: {
      spec,
      kind: isH5Path(spec) ? 'hdf5' : 'image-set',
      source: d.source,
      height: d.height,
      width: d.width,
      channels: d.channels,
      numClasses: d.numClasses,
      train: train.count,
      test: test.count,
      tracks: Boolean(train.tracks),
    },
    classNames: classNamesFor(d.numClasses, spec, d.classNames),
    train,
    test,
  };
}

/** The luminance (in [0, 1]) of image i of a split, h×w, from uint8 or float pixels, 1 or 3 channels. */
export function luminanceOf(split: ImageSplit, i: number, h: number, w: number, c: number, out: Float64Array): Float64Array {
  const per = h * w * c;
  const scale = split.x instanceof Uint8Array ? 1 / 255 : 1;
  const base = i * per;
  const x = split.x;
  if (c === 1) for (let p = 0; p < h * w; p++) out[p] = x[base + p] * scale;
  else {
    const [wr, wg, wb] = LUMA_WEIGHTS;
    for (let p = 0; p < h * w; p++) out[p] = (wr * x[base + p * c] + wg * x[base + p * c + 1] + wb * x[base + p * c + 2]) * scale;
  }
  return out;
}
