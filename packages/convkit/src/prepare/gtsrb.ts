import path from 'node:path';
import { z } from 'zod';
import { indexGtsrb, type GtsrbSample } from '../datasets/gtsrb.js';
import { Rng, stratifiedSubset } from '../util/rng.js';
import { parseWith } from '../util/schema.js';
import { CONVKIT_VERSION } from '../version.js';
import { LUMA_WEIGHTS } from './color.js';
import { H5SetWriter } from './hdf5.js';
import { LHE_RADIUS, modeChannels, PREPARE_MODES, type PrepareMode } from './modes.js';
import { defaultWorkers, PreparePool } from './pool.js';
import { RESIZE_METHOD } from './resize.js';
import type { WorkerInit, WorkerTask } from './worker.js';

/** Options of `convkit prepare gtsrb`; the CLI and the library parse through this one schema. */
export const PrepareGtsrbSchema = z.object({
  root: z.string().min(1),
  out: z.string().min(1),
  sizes: z
    .array(z.number({ error: 'size must be a number' }).int({ error: 'size must be an integer' }).positive({ error: (i) => `size must be > 0, got ${String(i.input)}` }))
    .min(1, { error: 'at least one size' })
    .default([24, 48]),
  modes: z
    .array(z.enum(PREPARE_MODES, { error: (i) => `unknown mode "${String(i.input)}" (known: ${PREPARE_MODES.join(', ')})` }))
    .min(1, { error: 'at least one mode' })
    .default(['RGB', 'RGB-HE', 'L', 'L-LHE']),
  /** Fraction of train and test kept (seeded, stratified by class). */
  scale: z.number().gt(0, { error: 'scale must be in (0, 1]' }).max(1, { error: 'scale must be in (0, 1]' }).default(1),
  roi: z.boolean().default(false),
  seed: z.number().int().nonnegative().default(42),
  skipBad: z.boolean().default(false),
  testGt: z.string().min(1).optional(),
  /** A GTSRB folder whose Final_Test/ gives the test set (when ROOT holds the training set only). */
  testRoot: z.string().min(1).optional(),
  /** Worker threads (default: one per core). */
  workers: z.number().int().positive().optional(),
  /** Images per worker task. */
  batchImages: z.number().int().positive().default(128),
});
export type PrepareGtsrbInput = z.input<typeof PrepareGtsrbSchema>;

export interface PreparedFile {
  path: string;
  mode: PrepareMode;
  size: number;
  train: number;
  test: number;
  meta: number;
}

export interface PrepareReport {
  root: string;
  layout: string;
  files: PreparedFile[];
  /** Rows and images left out under --skip-bad, with their cause. */
  skipped: { file: string; line?: number; reason: string }[];
  images: number;
  seconds: number;
  workers: number;
}

export function variantFileName(size: number, mode: string): string {
  return `set-${size}x${size}-${mode}.h5`;
}

/**
 * `convkit prepare gtsrb`: one HDF5 file per size × mode from a single decoding pass over the images.
 * Train is shuffled with the seed; `scale` keeps a seeded stratified subset of train and test.
 * Files appear under their final names only when everything succeeded.
 */
export async function prepareGtsrb(input: PrepareGtsrbInput, log: (m: string) => void = () => {}): Promise<PrepareReport> {
  const o = parseWith(PrepareGtsrbSchema, input, 'convkit prepare');
  const sizes = [...new Set(o.sizes)];
  const modes = [...new Set(o.modes)];
  const t0 = performance.now();
  const index = await indexGtsrb(o.root, { testGt: o.testGt, testRoot: o.testRoot, skipBad: o.skipBad });

  const subset = (samples: GtsrbSample[], seed: number): GtsrbSample[] => {
    if (o.scale >= 1) return samples;
    const keep = Array.from(stratifiedSubset(samples.map((s) => s.classId), o.scale, seed)).sort((a, b) => a - b);
    return keep.map((i) => samples[i]);
  };
  const train = new Rng(o.seed).shuffle(subset(index.train, o.seed));
  const splits = { train, test: subset(index.test, o.seed + 1), meta: index.meta };

  const workers = o.workers ?? defaultWorkers();
  const created = new Date().toISOString();
  const variants: { size: number; mode: PrepareMode; writer: H5SetWriter }[] = [];
  const skipped = [...index.skipped];
  let pool: PreparePool | null = null;
  try {
    for (const size of sizes) {
      for (const mode of modes) {
        const writer = await H5SetWriter.create(path.join(o.out, variantFileName(size, mode)), {
          height: size,
          width: size,
          channels: modeChannels(mode),
          attrs: {
            mode,
            size: [size, size],
            source: index.root,
            layout: index.layout,
            class_names: index.classNames,
            convkit_version: CONVKIT_VERSION,
            created,
            seed: o.seed,
            scale: o.scale,
            roi: o.roi ? 1 : 0,
            resize: `${RESIZE_METHOD}; whole image, aspect ratio not kept`,
            luminance: `L = ${LUMA_WEIGHTS[0]} R + ${LUMA_WEIGHTS[1]} G + ${LUMA_WEIGHTS[2]} B`,
            lhe_radius: LHE_RADIUS,
          },
        });
        variants.push({ size, mode, writer });
      }
    }
    const init: WorkerInit = { sizes, modes, roi: o.roi, skipBad: o.skipBad };
    pool = new PreparePool(workers);
    for (const split of ['train', 'test', 'meta'] as const) {
      const samples = splits[split];
      const tasks: WorkerTask[] = [];
      for (let i = 0; i < samples.length; i += o.batchImages) tasks.push({ id: tasks.length, samples: samples.slice(i, i + o.batchImages) });
      let done = 0;
      let shown = 0;
      await pool.run(init, tasks, (r) => {
        r.outputs.forEach((x, i) => variants[i].writer.append(split, x, r.labels, r.tracks));
        skipped.push(...r.bad);
        done += r.labels.length + r.bad.length;
        const pct = Math.floor((100 * done) / samples.length / 10) * 10;
        if (pct > shown && pct < 100) {
          shown = pct;
          log(`convkit: prepare ${split}: ${pct} % (${done}/${samples.length})`);
        }
      });
      log(`convkit: prepared ${split}: ${samples.length} images`);
    }
    await pool.close();
    for (const v of variants) await v.writer.commit();
  } catch (e) {
    await pool?.close();
    await Promise.all(variants.map((v) => v.writer.abort()));
    throw e;
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    root: index.root,
    layout: index.layout,
    files: variants.map((v) => ({ path: v.writer.finalPath, mode: v.mode, size: v.size, train: v.writer.count('train'), test: v.writer.count('test'), meta: v.writer.count('meta') })),
    skipped,
    images: splits.train.length + splits.test.length + splits.meta.length,
    seconds,
    workers,
  };
}
