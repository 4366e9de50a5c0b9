import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import type h5wasm from 'h5wasm/node';
import { h5, type H5Split } from '../datasets/hdf5.js';
import { convkitSibling } from '../util/atomic.js';
import { ConvkitError } from '../util/errors.js';

/** Images per HDF5 chunk: small enough to read a few images cheaply, large enough to keep the index small. */
export const H5_CHUNK_IMAGES = 64;

export interface H5SetInfo {
  height: number;
  width: number;
  channels: number;
  /** Written as HDF5 attributes on the root (strings, numbers, string lists). */
  attrs: Record<string, string | number | string[] | number[]>;
}

/**
 * Writes one dataset file (keys x_train y_train x_test y_test x_meta y_meta; x float32 NHWC, y int32; track_<split> int32 GTSRB track ids) slice by
 * slice into resizable chunked datasets, under a temporary name in the same folder; `commit` renames it.
 */
export class H5SetWriter {
  readonly finalPath: string;
  readonly tmpPath: string;
  private file: InstanceType<typeof h5wasm.File> | null;
  private counts: Record<H5Split, number> = { train: 0, test: 0, meta: 0 };
  private readonly per: number;

  private constructor(finalPath: string, tmpPath: string, file: InstanceType<typeof h5wasm.File>, private info: H5SetInfo) {
    this.finalPath = finalPath;
    this.tmpPath = tmpPath;
    this.file = file;
    this.per = info.height * info.width * info.channels;
  }

  static async create(finalPath: string, info: H5SetInfo): Promise<H5SetWriter> {
    const lib = await h5();
    const abs = path.resolve(finalPath);
    const tmp = convkitSibling(abs, 'tmp');
    let f: InstanceType<typeof h5wasm.File>;
    try {
      await fs.mkdir(path.dirname(abs), { recursive: true });
      await fs.access(path.dirname(abs), fsConstants.W_OK);
      f = new lib.File(tmp, 'w');
      // h5wasm reports a failed open with a negative id (and HDF5's diagnostics on stderr), not an exception
      if (f.file_id < 0n) throw new Error('HDF5 could not create the file');
    } catch (e) {
      throw new ConvkitError(`cannot create an HDF5 file here (${(e as Error).message.split('\n')[0]})`, { file: finalPath });
    }
    const { height: h, width: w, channels: c } = info;
    for (const split of ['train', 'test', 'meta'] as const) {
      f.create_dataset({ name: `x_${split}`, data: new Float32Array(0), shape: [0, h, w, c], maxshape: [null, h, w, c], chunks: [H5_CHUNK_IMAGES, h, w, c], dtype: '<f' });
      f.create_dataset({ name: `y_${split}`, data: new Int32Array(0), shape: [0], maxshape: [null], chunks: [4096], dtype: '<i' });
      f.create_dataset({ name: `track_${split}`, data: new Int32Array(0), shape: [0], maxshape: [null], chunks: [4096], dtype: '<i' });
    }
    for (const [k, v] of Object.entries(info.attrs)) {
      if (Array.isArray(v) && v.length && typeof v[0] === 'number') f.create_attribute(k, Int32Array.from(v as number[]));
      else f.create_attribute(k, v as string | number | string[]);
    }
    return new H5SetWriter(abs, tmp, f, info);
  }

  count(split: H5Split): number {
    return this.counts[split];
  }

  /** Appends `y.length` images to a split, with their track ids (`track_<split>`, -1 = none). */
  append(split: H5Split, x: Float32Array, y: Int32Array, tracks: Int32Array = new Int32Array(y.length).fill(-1)): void {
    const f = this.file;
    if (!f) throw new Error('H5SetWriter: append after close');
    const k = y.length;
    if (tracks.length !== k) throw new Error(`H5SetWriter: ${tracks.length} track ids for ${k} images`);
    if (x.length !== k * this.per) throw new Error(`H5SetWriter: ${x.length} values for ${k} images of ${this.per}`);
    if (!k) return;
    const n = this.counts[split];
    const xd = f.get(`x_${split}`) as InstanceType<typeof h5wasm.Dataset>;
    const yd = f.get(`y_${split}`) as InstanceType<typeof h5wasm.Dataset>;
    xd.resize([n + k, this.info.height, this.info.width, this.info.channels]);
    xd.write_slice([[n, n + k]], x);
    yd.resize([n + k]);
    yd.write_slice([[n, n + k]], y);
    const td = f.get(`track_${split}`) as InstanceType<typeof h5wasm.Dataset>;
    td.resize([n + k]);
    td.write_slice([[n, n + k]], tracks);
    this.counts[split] = n + k;
  }

  /** Closes the file and moves it to its final name (`seal` + `publish`). */
  async commit(): Promise<void> {
    await this.seal();
    await this.publish();
  }

  /** Closes the temporary file and fsyncs it: complete on disk, not yet under its final name. */
  async seal(): Promise<void> {
    if (!this.file) throw new Error('H5SetWriter: seal after close');
    this.file.flush();
    this.file.close();
    this.file = null;
    const fh = await fs.open(this.tmpPath, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /** Renames the sealed file to its final name (atomic: readers see the old file or the new one). */
  async publish(): Promise<void> {
    if (this.file) throw new Error('H5SetWriter: publish before seal');
    await fs.rename(this.tmpPath, this.finalPath);
  }

  /** Closes and deletes the temporary file (nothing is left under the final name). */
  async abort(): Promise<void> {
    if (this.file) {
      try {
        this.file.close();
      } catch {
        // already broken: the file is removed anyway
      }
      this.file = null;
    }
    await fs.rm(this.tmpPath, { force: true });
  }
}
