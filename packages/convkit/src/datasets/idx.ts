import { gunzipSync } from 'node:zlib';
import { ConvkitError, readInputFile } from '../util/errors.js';

// Hand-written: the IDX format (LeCun's MNIST files) is 4 header words and raw bytes; no npm library reads it with checks.

export const IDX_LABELS_MAGIC = 2049;
export const IDX_IMAGES_MAGIC = 2051;

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an IDX file of unsigned bytes (type 0x08), raw or gzip-compressed. */
export function parseIdx(buf: Uint8Array, file: string, expectedMagic?: number): IdxArray {
  let bytes = buf;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new ConvkitError(`corrupt gzip data (${(e as Error).message})`, { file });
    }
  }
  if (bytes.length < 4) throw new ConvkitError(`truncated IDX file: ${bytes.length} bytes, no header`, { file });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (expectedMagic !== undefined && magic !== expectedMagic) {
    throw new ConvkitError(`wrong IDX magic number ${magic}, expected ${expectedMagic}`, { file });
  }
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08) {
    throw new ConvkitError(`wrong IDX magic number ${magic}: only unsigned-byte IDX files (0x0008xx) are supported`, { file });
  }
  const ndim = bytes[3];
  if (ndim < 1 || ndim > 4) throw new ConvkitError(`IDX file declares ${ndim} dimensions`, { file });
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) throw new ConvkitError(`truncated IDX header (${bytes.length} of ${headerLen} bytes)`, { file });
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i));
  const n = dims.reduce((a, b) => a * b, 1);
  const have = bytes.length - headerLen;
  if (have < n) throw new ConvkitError(`truncated IDX data: header announces ${dims.join('×')} = ${n} bytes, file has ${have}`, { file });
  if (have > n) throw new ConvkitError(`IDX file has ${have - n} trailing bytes after ${dims.join('×')} values`, { file });
  return { dims, data: bytes.subarray(headerLen, headerLen + n) };
}

export async function readIdxFile(file: string, expectedMagic?: number): Promise<IdxArray> {
  return parseIdx(await readInputFile(file), file, expectedMagic);
}

/** Reads an images file and a labels file and checks that they agree. */
export async function readIdxPair(imagesFile: string, labelsFile: string): Promise<{ x: Uint8Array; y: Int32Array; count: number; height: number; width: number }> {
  const images = await readIdxFile(imagesFile, IDX_IMAGES_MAGIC);
  const labels = await readIdxFile(labelsFile, IDX_LABELS_MAGIC);
  if (images.dims.length !== 3) throw new ConvkitError(`images file must have 3 dimensions, has ${images.dims.length}`, { file: imagesFile });
  if (labels.dims.length !== 1) throw new ConvkitError(`labels file must have 1 dimension, has ${labels.dims.length}`, { file: labelsFile });
  if (images.dims[0] !== labels.dims[0]) {
    throw new ConvkitError(`${images.dims[0]} images but ${labels.dims[0]} labels in ${labelsFile}`, { file: imagesFile });
  }
  return { x: images.data, y: Int32Array.from(labels.data), count: images.dims[0], height: images.dims[1], width: images.dims[2] };
}

/** Encodes unsigned bytes as an IDX file (used to cut real MNIST files into smaller sets). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const n = dims.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new Error(`encodeIdx: ${data.length} bytes for dims ${dims.join('×')}`);
  const out = new Uint8Array(4 + 4 * dims.length + n);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
