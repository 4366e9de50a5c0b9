import zlib from 'node:zlib';
import { ConvkitError, readInputFile } from '../util/errors.js';

// Hand-written: the IDX format (LeCun's MNIST files) is 4 header words and raw bytes; no npm library reads it with checks.

export const IDX_LABELS_MAGIC = 2049;
export const IDX_IMAGES_MAGIC = 2051;

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Deflate cannot expand data more than ~1032 times: a header announcing more than that is lying. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * Parses an IDX file of unsigned bytes (type 0x08), raw or gzip-compressed. The header is read first (from the first
 * compressed bytes only) and `check` sees its dimensions before anything is decompressed whole; decompression then
 * stops at the size the header declares, so a file lying about its size costs no more memory than it claims.
 */
export function parseIdx(buf: Uint8Array, file: string, expectedMagic?: number, check?: (dims: number[]) => void): IdxArray {
  const gz = buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  const gunzip = (input: Uint8Array, opts: zlib.ZlibOptions) => {
    try {
      return zlib.gunzipSync(input, opts);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return null;
      throw new ConvkitError(`corrupt gzip data (${(e as Error).message})`, { file });
    }
  };
  // the first compressed bytes, flushed as far as they go, hold the header of any IDX file
  const head = gz ? gunzip(buf.subarray(0, 4096), { finishFlush: zlib.constants.Z_SYNC_FLUSH }) : buf;
  const { dims, headerLen, n } = idxHeader(head ?? new Uint8Array(0), file, expectedMagic);
  check?.(dims);
  let bytes = buf;
  if (gz) {
    if (n > (buf.length + 1024) * MAX_DEFLATE_RATIO) throw new ConvkitError(`truncated IDX data: header announces ${dims.join('×')} = ${n} bytes, more than ${buf.length} compressed bytes can hold`, { file });
    const out = gunzip(buf, { maxOutputLength: headerLen + n + 1 });
    if (out === null) throw new ConvkitError(`IDX file has trailing bytes after ${dims.join('×')} values`, { file });
    bytes = out;
  }
  const have = bytes.length - headerLen;
  if (have < n) throw new ConvkitError(`truncated IDX data: header announces ${dims.join('×')} = ${n} bytes, file has ${have}`, { file });
  if (have > n) throw new ConvkitError(`IDX file has ${have - n} trailing bytes after ${dims.join('×')} values`, { file });
  return { dims, data: bytes.subarray(headerLen, headerLen + n) };
}

function idxHeader(bytes: Uint8Array, file: string, expectedMagic?: number): { dims: number[]; headerLen: number; n: number } {
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
  return { dims, headerLen, n: dims.reduce((a, b) => a * b, 1) };
}

export async function readIdxFile(file: string, expectedMagic?: number): Promise<IdxArray> {
  return parseIdx(await readInputFile(file), file, expectedMagic);
}

/** Reads an images file and a labels file and checks that they agree (from the headers, before decompressing the images). */
export async function readIdxPair(imagesFile: string, labelsFile: string): Promise<{ x: Uint8Array; y: Int32Array; count: number; height: number; width: number }> {
  const labels = await readIdxFile(labelsFile, IDX_LABELS_MAGIC);
  if (labels.dims.length !== 1) throw new ConvkitError(`labels file must have 1 dimension, has ${labels.dims.length}`, { file: labelsFile });
  const images = parseIdx(await readInputFile(imagesFile), imagesFile, IDX_IMAGES_MAGIC, (dims) => {
    if (dims.length !== 3) throw new ConvkitError(`images file must have 3 dimensions, has ${dims.length}`, { file: imagesFile });
    if (dims[0] !== labels.dims[0]) throw new ConvkitError(`${dims[0]} images but ${labels.dims[0]} labels in ${labelsFile}`, { file: imagesFile });
  });
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
