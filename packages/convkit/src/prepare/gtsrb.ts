import path from 'node:path';
import { z } from 'zod';
import { indexGtsrb, type GtsrbSample } from '../datasets/gtsrb.js';
import { Rng, stratifiedSubset } from '../util/rng.js';
import { parseWith, schemaFromTable } from '../util/schema.js';
import { PREPARE_OPTIONS } from './options.js';
import { CONVKIT_VERSION } from '../version.js';
import { LUMA_WEIGHTS } from '../image/color.js';
import { existingSet, PREPARE_RECORD_ATTR, publishAll, type PrepareRecord } from './existing-sets.js';
import { H5SetWriter } from './hdf5.js';
import { resolveExclusion, type ExclusionRecord } from './exclude.js';
import { ConvkitError } from '../util/errors.js';
import { settleInterruptedWrites } from '../util/atomic.js';
import { LHE_RADIUS, modeChannels, PREPARE_MODES, type PrepareMode } from '../image/modes.js';
import { defaultWorkers, PreparePool } from './pool.js';
import { RESIZE_METHOD } from '../image/resize.js';
import type { WorkerInit, WorkerTask } from './worker.js';

/** One square size, and one colour mode, of a prepared set (also the `prepare:` block's, cache.ts). */
export const PrepareSize = z.number({ error: 'size must be a number' }).int({ error: 'size must be an integer' }).positive({ error: (i) => `size must be > 0, got ${String(i.input)}` });
export const PrepareModeSchema = z.enum(PREPARE_MODES, { error: (i) => `unknown mode "${String(i.input)}" (known: ${PREPARE_MODES.join(', ')})` });

/**
 * Options of `convkit prepare gtsrb`, the one prepare schema: the CLI, the library and training configs' `prepare:`
 * blocks parse through it. Options, help and defaults come from the table (options.ts).
 */
export const PrepareGtsrbSchema = schemaFromTable(PREPARE_OPTIONS, {
  sizes: z.array(PrepareSize).min(1, { error: 'at least one size' }),
  modes: z.array(PrepareModeSchema).min(1, { error: 'at least one mode' }),
  /** Fraction of train and test kept (seeded, stratified by class). */
  scale: z.number().gt(0, { error: 'scale must be in (0, 1]' }).max(1, { error: 'scale must be in (0, 1]' }),
}).extend({
  root: z.string().min(1),
  /** Images per worker task (no command-line option). */
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
  /** Files that existed, up to date (same source and parameters), and were kept as they were. */
  kept: string[];
  /** Rows and images left out under --skip-bad, with their cause. */
  skipped: { file: string; line?: number; reason: string }[];
  /** Images left out with --exclude: the list file and what the sets record of it. */
  excluded?: ExclusionRecord & { file: string };
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
  let excluded: PrepareReport['excluded'];
  if (o.exclude !== undefined) {
    // Before --scale and the shuffle: the kept images are drawn from what remains.
    const x = await resolveExclusion(o.exclude, o.root, index.root, [...index.train, ...index.test]);
    index.train = index.train.filter((s) => !x.excluded.has(s));
    index.test = index.test.filter((s) => !x.excluded.has(s));
    excluded = { file: path.resolve(o.exclude), ...x.record };
    log(`convkit: leaving out the ${x.record.files.length} images listed in ${o.exclude}`);
  }

  const subset = (samples: GtsrbSample[], seed: number): GtsrbSample[] => {
    if (o.scale >= 1) return samples;
    const keep = Array.from(stratifiedSubset(samples.map((s) => s.classId), o.scale, seed)).sort((a, b) => a - b);
    return keep.map((i) => samples[i]);
  };
  const train = new Rng(o.seed).shuffle(subset(index.train, o.seed));
  const splits = { train, test: subset(index.test, o.seed + 1), meta: index.meta };

  const workers = o.workers ?? defaultWorkers();
  const created = new Date().toISOString();
  const record = (size: number, mode: PrepareMode): PrepareRecord => ({
    source: index.root,
    layout: index.layout,
    mode,
    size,
    seed: o.seed,
    scale: o.scale,
    roi: o.roi,
    skipBad: o.skipBad,
    testGt: o.testGt ? path.resolve(o.testGt) : null,
    images: { train: splits.train.length, test: splits.test.length, meta: splits.meta.length },
    convkitVersion: CONVKIT_VERSION,
    ...(excluded ? { exclude: { sha256: excluded.sha256, files: excluded.files } } : {}),
  });
  // Existing sets: kept when up to date, replaced only with --force; decided before any work, for all variants.
  const kept = new Map<string, PreparedFile>();
  for (const size of sizes) {
    for (const mode of modes) {
      const file = path.resolve(o.out, variantFileName(size, mode));
      const had = await existingSet(file, record(size, mode));
      if (had.state === 'missing' || o.force) continue;
      if (had.state === 'different') throw new ConvkitError(`exists and was prepared differently (${had.why}); use --force to replace it`, { file });
      kept.set(file, { path: file, mode, size, ...had.counts });
      log(`convkit: ${file} is up to date (same source and parameters); kept`);
    }
  }
  await settleInterruptedWrites(path.resolve(o.out)); // temporaries of a killed earlier prepare
  // One entry per size × mode, in the workers' output order; null for a kept set.
  const variants: ({ size: number; mode: PrepareMode; writer: H5SetWriter } | null)[] = [];
  const skipped = [...index.skipped];
  const written: { size: number; mode: PrepareMode; writer: H5SetWriter }[] = [];
  let pool: PreparePool | null = null;
  if (kept.size === sizes.length * modes.length) {
    return { root: index.root, layout: index.layout, files: [...kept.values()], kept: [...kept.keys()], skipped, ...(excluded ? { excluded } : {}), images: 0, seconds: (performance.now() - t0) / 1000, workers: 0 };
  }
  try {
    for (const size of sizes) {
      for (const mode of modes) {
        if (kept.has(path.resolve(o.out, variantFileName(size, mode)))) {
          variants.push(null);
          continue;
        }
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
            [PREPARE_RECORD_ATTR]: JSON.stringify(record(size, mode)),
          },
        });
        variants.push({ size, mode, writer });
        written.push({ size, mode, writer });
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
        r.outputs.forEach((x, i) => variants[i]?.writer.append(split, x, r.labels, r.tracks));
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
    await publishAll(written.map((v) => v.writer));
  } catch (e) {
    await pool?.close();
    await Promise.all(written.map((v) => v.writer.abort()));
    throw e;
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    root: index.root,
    layout: index.layout,
    files: sizes.flatMap((size) => modes.map((mode) => path.resolve(o.out, variantFileName(size, mode)))).map((file, i) => {
      const v = variants[i];
      return v ? { path: v.writer.finalPath, mode: v.mode, size: v.size, train: v.writer.count('train'), test: v.writer.count('test'), meta: v.writer.count('meta') } : kept.get(file)!;
    }),
    kept: [...kept.keys()],
    skipped,
    ...(excluded ? { excluded } : {}),
    images: splits.train.length + splits.test.length + splits.meta.length,
    seconds,
    workers,
  };
}
