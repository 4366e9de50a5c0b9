import { promises as fs } from 'node:fs';
import path from 'node:path';
import type h5wasm from 'h5wasm/node';
import { ConvkitError } from '../util/errors.js';
import type { ImageDataset, ImageSplit } from './types.js';

/** The keys of a convkit (and Fidle) HDF5 dataset file; meta is optional on read. */
export const H5_SPLITS = ['train', 'test', 'meta'] as const;
export type H5Split = (typeof H5_SPLITS)[number];

/** Images read per h5wasm call: its wasm heap caps one call near 2 GB, slices keep it far below. */
export const H5_READ_SLICE = 4096;

/** h5wasm, initialised (its wasm module loads once per thread, on the first HDF5 file read or written, not on import). */
export async function h5(): Promise<typeof h5wasm> {
  const { default: lib } = await import('h5wasm/node');
  await lib.ready;
  return lib;
}

function readAttr(f: InstanceType<typeof h5wasm.File>, name: string): unknown {
  return name in f.attrs ? f.attrs[name].json_value : undefined;
}

/** Reads `x_<split>` (float32 NHWC in [0, 1]) and `y_<split>` (integer class ids) in slices. */
function readSplit(f: InstanceType<typeof h5wasm.File>, file: string, split: H5Split, optional: boolean): { split: ImageSplit; shape: number[] } | null {
  const keys = f.keys();
  for (const k of [`x_${split}`, `y_${split}`]) {
    if (!keys.includes(k)) {
      if (optional) return null;
      throw new ConvkitError(`missing dataset "${k}" (expected x_train y_train x_test y_test [x_meta y_meta])`, { file });
    }
  }
  const xd = f.get(`x_${split}`) as InstanceType<typeof h5wasm.Dataset>;
  const yd = f.get(`y_${split}`) as InstanceType<typeof h5wasm.Dataset>;
  const shape = xd.shape ?? [];
  if (shape.length !== 4) throw new ConvkitError(`dataset "x_${split}" has shape [${shape.join(', ')}], expected 4 dimensions (N, H, W, C)`, { file });
  const yShape = yd.shape ?? [];
  if (yShape.length !== 1 || yShape[0] !== shape[0]) throw new ConvkitError(`dataset "y_${split}" has shape [${yShape.join(', ')}], expected [${shape[0]}]`, { file });
  const meta = xd.metadata;
  if (meta.type !== 1 /* H5T_FLOAT */) throw new ConvkitError(`dataset "x_${split}" is not floating point`, { file });
  const [n, h, w, c] = shape;
  const per = h * w * c;
  const x = new Float32Array(n * per);
  for (let s = 0; s < n; s += H5_READ_SLICE) {
    const e = Math.min(n, s + H5_READ_SLICE);
    const part = xd.slice([[s, e]]) as Float32Array | Float64Array;
    x.set(part, s * per);
  }
  const yRaw = yd.value as ArrayLike<number | bigint>;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Number(yRaw[i]);
    if (!Number.isInteger(v) || v < 0) throw new ConvkitError(`dataset "y_${split}"[${i}] = ${v} is not a class id`, { file });
    y[i] = v;
  }
  // convkit's GTSRB sets carry each image's track (`track_<split>`, -1 = none); other files do not.
  let tracks: Int32Array | undefined;
  if (keys.includes(`track_${split}`)) {
    const td = f.get(`track_${split}`) as InstanceType<typeof h5wasm.Dataset>;
    if ((td.shape ?? []).length !== 1 || td.shape![0] !== n) throw new ConvkitError(`dataset "track_${split}" has shape [${(td.shape ?? []).join(', ')}], expected [${n}]`, { file });
    tracks = Int32Array.from(td.value as ArrayLike<number>, Number);
    if (!tracks.some((t) => t >= 0)) tracks = undefined;
  }
  return { split: tracks ? { x, y, count: n, tracks } : { x, y, count: n }, shape };
}

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The HDF5 superblock signature sits at 0, 512, 1024, 2048… (after an optional user block). */
export async function hasHdf5Signature(abs: string, file: string): Promise<boolean> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(abs, 'r');
  } catch (e) {
    throw new ConvkitError((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'cannot read', { file });
  }
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.alloc(8);
    for (let off = 0; off + 8 <= size; off = off ? off * 2 : 512) {
      await fh.read(buf, 0, 8, off);
      if (buf.equals(SIGNATURE)) return true;
      if (off >= 1 << 20) break;
    }
    return false;
  } finally {
    await fh.close();
  }
}

/** Loads a prepared HDF5 file (as `convkit prepare` writes, or Fidle's) into memory. */
export async function readH5Dataset(file: string): Promise<ImageDataset> {
  const lib = await h5();
  const abs = path.resolve(file);
  if (!(await hasHdf5Signature(abs, file))) throw new ConvkitError('not an HDF5 file (no HDF5 signature)', { file });
  let f: InstanceType<typeof h5wasm.File>;
  try {
    f = new lib.File(abs, 'r');
  } catch (e) {
    throw new ConvkitError(`cannot open as HDF5 (${(e as Error).message})`, { file });
  }
  try {
    const train = readSplit(f, file, 'train', false)!;
    const test = readSplit(f, file, 'test', false)!;
    const meta = readSplit(f, file, 'meta', true);
    const [, h, w, c] = train.shape;
    for (const [name, s] of [['test', test], ['meta', meta]] as const) {
      if (s && (s.shape[1] !== h || s.shape[2] !== w || s.shape[3] !== c)) {
        throw new ConvkitError(`x_${name} images are ${s.shape.slice(1).join('×')}, x_train ones ${h}×${w}×${c}`, { file });
      }
    }
    const names = readAttr(f, 'class_names');
    const classNames = Array.isArray(names) ? names.map(String) : undefined;
    let maxY = -1;
    for (const s of [train, test, meta]) if (s) for (const v of s.split.y) maxY = Math.max(maxY, v);
    const numClasses = classNames?.length ?? maxY + 1;
    if (maxY >= numClasses) throw new ConvkitError(`class id ${maxY} out of range for ${numClasses} class names`, { file });
    return {
      name: path.basename(file),
      source: abs,
      height: h,
      width: w,
      channels: c,
      numClasses,
      classNames,
      train: train.split,
      test: test.split,
      meta: meta?.split,
      preparation: typeof readAttr(f, 'mode') === 'string' ? { mode: readAttr(f, 'mode') as string } : undefined,
    };
  } catch (e) {
    if (e instanceof ConvkitError) throw e;
    throw new ConvkitError(`cannot read as HDF5 (${(e as Error).message})`, { file });
  } finally {
    f.close();
  }
}
