// `--data gtsrb:ROOT` (or a GTSRB folder given as is): read and resized whole on load, no prepared set.
import path from 'node:path';
import { exists } from '../util/atomic.js';
import { mapLimit } from '../util/map-limit.js';
import { GTSRB_NUM_CLASSES, gtsrbTrackId, indexGtsrb, readGtsrbImage, type GtsrbSample } from './gtsrb.js';
import type { ImageDataset, ImageSplit } from './types.js';

/** Side of the square images a GTSRB folder is resized to when trained on directly (no `convkit prepare`). */
export const GTSRB_DIRECT_SIZE = 32;

export async function looksLikeGtsrb(dir: string): Promise<boolean> {
  for (const p of [path.join(dir, 'GTSRB', 'Final_Training'), path.join(dir, 'Final_Training'), path.join(dir, 'Train.csv')]) {
    if (await exists(p)) return true;
  }
  return false;
}

async function resizeAll(samples: GtsrbSample[], size: number): Promise<ImageSplit> {
  const { toSize } = await import('../image/to-size.js'); // sharp: only when images are read, not when `convkit datasets` lists this source
  const pixels = size * size * 3;
  const x = new Uint8Array(samples.length * pixels);
  await mapLimit(samples, 8, async (s, i) => x.set(await toSize(await readGtsrbImage(s), size, size, 3), i * pixels));
  const tracks = Int32Array.from(samples, gtsrbTrackId);
  const split: ImageSplit = { x, y: Int32Array.from(samples, (s) => s.classId), count: samples.length };
  return tracks.some((t) => t >= 0) ? { ...split, tracks } : split;
}

/** A GTSRB folder as a dataset: every image resized whole to size×size RGB, uint8, in CSV order. */
export async function loadGtsrbFolder(root: string, size = GTSRB_DIRECT_SIZE): Promise<ImageDataset> {
  const index = await indexGtsrb(root);
  return {
    name: `gtsrb-${size}x${size}-RGB`,
    source: index.root,
    height: size,
    width: size,
    channels: 3,
    numClasses: GTSRB_NUM_CLASSES,
    classNames: index.classNames,
    train: await resizeAll(index.train, size),
    test: await resizeAll(index.test, size),
    meta: await resizeAll(index.meta, size),
  };
}

/** The folder a `gtsrb:ROOT` (or bare GTSRB folder) `--data` value names. */
export function gtsrbRoot(spec: string): string {
  return spec.startsWith('gtsrb:') ? spec.slice('gtsrb:'.length) : spec;
}
