import type { ImageDataset } from '../../datasets/types.js';
import { Rng } from '../../util/rng.js';
import { makeBatch } from '../batches.js';
import { augmentBatch } from './augment.js';
import type { AugmentSpec } from './schema.js';

export interface PreviewOptions {
  /** Images (rows). */
  n: number;
  /** Augmented copies per image (columns after the original). */
  copies: number;
  seed: number;
  /** Pixel magnification (nearest neighbour). */
  scale: number;
}

const GAP = 2;
const BACKGROUND = 96;

/**
 * A PNG grid: one row per training image (drawn with `seed`), the original first, then what epochs 1…copies of a
 * run seeded `seed` would train on (same drawParams as training). Images are magnified `scale` times.
 */
export async function previewGrid(dataset: ImageDataset, spec: AugmentSpec, o: PreviewOptions): Promise<{ png: Buffer; indices: number[]; width: number; height: number }> {
  const { height: h, width: w, channels: c } = dataset;
  const split = dataset.train;
  const n = Math.min(o.n, split.count);
  const indices = Array.from(new Rng(o.seed).permutation(split.count).subarray(0, n));
  const shape = { height: h, width: w, channels: c, numClasses: dataset.numClasses };
  const { xs, ys } = makeBatch(split, indices, 0, n, shape);
  ys.dispose();
  const columns: Float32Array[] = [xs.dataSync() as Float32Array];
  for (let epoch = 1; epoch <= o.copies; epoch++) {
    const a = augmentBatch(xs, indices, o.seed, epoch, spec);
    columns.push(a.dataSync() as Float32Array);
    a.dispose();
  }
  xs.dispose();
  const tileW = w * o.scale;
  const tileH = h * o.scale;
  const width = columns.length * (tileW + GAP) + GAP;
  const height = n * (tileH + GAP) + GAP;
  const out = Buffer.alloc(width * height * c, BACKGROUND);
  columns.forEach((col, j) => {
    for (let i = 0; i < n; i++) {
      const x0 = GAP + j * (tileW + GAP);
      const y0 = GAP + i * (tileH + GAP);
      for (let y = 0; y < tileH; y++) {
        for (let x = 0; x < tileW; x++) {
          const src = ((i * h + Math.floor(y / o.scale)) * w + Math.floor(x / o.scale)) * c;
          const dst = ((y0 + y) * width + x0 + x) * c;
          for (let ch = 0; ch < c; ch++) out[dst + ch] = Math.round(Math.min(1, Math.max(0, col[src + ch])) * 255);
        }
      }
    }
  });
  const { default: sharp } = await import('sharp'); // loaded on first use, not when convkit is imported
  const png = await sharp(out, { raw: { width, height, channels: c as 1 | 3 } }).png().toBuffer();
  return { png, indices, width, height };
}
