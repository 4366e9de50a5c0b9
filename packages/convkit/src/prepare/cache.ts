import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { convkitHome } from '../datasets/download.js';
import { indexGtsrb, type GtsrbSample } from '../datasets/gtsrb.js';
import { exists } from '../util/atomic.js';
import { mapLimit } from '../util/map-limit.js';
import { resolveExclusion } from './exclude.js';
import { PrepareGtsrbSchema, PrepareModeSchema, PrepareSize, prepareGtsrb, variantFileName } from './gtsrb.js';

const { roi, seed, testRoot, exclude } = PrepareGtsrbSchema.shape;
/**
 * The `prepare:` block of a training config: one variant of `convkit prepare gtsrb`, its keys those of the prepare
 * schema (gtsrb.ts) for one size and one mode; `test` is `--test-root`, `exclude` is `--exclude`.
 */
export const PrepareBlockSchema = z.object({ size: PrepareSize.default(32), mode: PrepareModeSchema.default('RGB'), roi, test: testRoot, seed, exclude }).strict();
export type PrepareBlock = z.output<typeof PrepareBlockSchema>;

/** Bumped whenever prepared sets change for the same inputs (so old cache entries are not reused). */
const PREPARE_FORMAT = 'gtsrb-h5/2 (track ids)';

/**
 * SHA-256 of what a prepared set depends on: the settings and the bytes of every image and CSV it reads
 * (about 2 s for the 39,209 training images). Equal hashes mean the same .h5 would be written.
 */
async function contentHash(root: string, block: PrepareBlock): Promise<string> {
  const index = await indexGtsrb(root, { testRoot: block.test });
  const h = createHash('sha256');
  h.update(JSON.stringify({ format: PREPARE_FORMAT, size: block.size, mode: block.mode, roi: block.roi, seed: block.seed }));
  const samples: GtsrbSample[] = [...index.train, ...index.test, ...index.meta];
  // The excluded images (and the list's bytes) are part of the key: a set made without them is another set.
  if (block.exclude !== undefined) h.update(`exclude ${JSON.stringify((await resolveExclusion(block.exclude, root, index.root, [...index.train, ...index.test])).record)}\n`);
  const csvs = [...new Set(samples.map((s) => s.csv))].sort();
  const digests = await mapLimit([...csvs, ...samples.map((s) => s.file)], 16, async (f) => createHash('sha256').update(await fs.readFile(f)).digest('hex'));
  for (const s of samples) h.update(`${s.classId};${s.width};${s.height};${s.roi.x1},${s.roi.y1},${s.roi.x2},${s.roi.y2}\n`);
  for (const d of digests) h.update(d);
  return h.digest('hex');
}

/**
 * The prepared .h5 for a GTSRB folder and a `prepare:` block, made once through `convkit prepare`'s own code and
 * kept in `$CONVKIT_HOME/prepared/<hash>/`, so a second run with the same images and settings starts at once.
 */
export async function preparedGtsrbSet(root: string, block: PrepareBlock, log: (m: string) => void = () => {}): Promise<{ file: string; cached: boolean; hash: string; seconds: number }> {
  const t0 = performance.now();
  const hash = await contentHash(root, block);
  const dir = path.join(convkitHome(), 'prepared', hash.slice(0, 16));
  const file = path.join(dir, variantFileName(block.size, block.mode));
  if (await exists(file)) {
    log(`convkit: prepared set found in the cache: ${file}`);
    return { file, cached: true, hash, seconds: (performance.now() - t0) / 1000 };
  }
  log(`convkit: preparing ${root} (${block.size}×${block.size} ${block.mode}${block.roi ? ', cropped to the ROI' : ''}${block.exclude ? `, without the images listed in ${block.exclude}` : ''}) into ${dir}`);
  await prepareGtsrb({ root, out: dir, sizes: [block.size], modes: [block.mode], roi: block.roi, seed: block.seed, testRoot: block.test, exclude: block.exclude }, log);
  return { file, cached: false, hash, seconds: (performance.now() - t0) / 1000 };
}
