import type { RawImage } from '../image/raw-image.js';
import { ConvkitError, readInputFile } from '../util/errors.js';

// Hand-written: Netpbm (PGM/PPM) is what GTSRB ships; sharp/libvips builds from npm do not decode it.

export type { RawImage };

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
}

/** Parses P2/P3 (ASCII) and P5/P6 (binary) Netpbm images with maxval ≤ 255, comments allowed anywhere in the header. */
export function parsePnm(buf: Uint8Array, file: string): RawImage {
  if (buf.length < 2 || buf[0] !== 0x50 /* P */) throw new ConvkitError('bad PNM header: not a PGM/PPM file (no P magic)', { file });
  const kind = String.fromCharCode(buf[1]);
  if (!['2', '3', '5', '6'].includes(kind)) throw new ConvkitError(`bad PNM header: unsupported magic P${kind}`, { file });
  const channels = kind === '3' || kind === '6' ? 3 : 1;
  let pos = 2;
  const readToken = (what: string): number => {
    for (;;) {
      while (pos < buf.length && isSpace(buf[pos])) pos++;
      if (pos < buf.length && buf[pos] === 0x23 /* # */) {
        while (pos < buf.length && buf[pos] !== 0x0a && buf[pos] !== 0x0d) pos++;
        continue;
      }
      break;
    }
    const start = pos;
    while (pos < buf.length && !isSpace(buf[pos]) && buf[pos] !== 0x23) pos++;
    if (start === pos) throw new ConvkitError(`bad PNM header: missing ${what}`, { file });
    const text = Buffer.from(buf.subarray(start, pos)).toString('latin1');
    if (!/^\d+$/.test(text)) throw new ConvkitError(`bad PNM header: ${what} "${text.slice(0, 20)}" is not a number`, { file });
    return Number(text);
  };
  const width = readToken('width');
  const height = readToken('height');
  const maxval = readToken('maxval');
  if (width <= 0 || height <= 0) throw new ConvkitError(`bad PNM header: size ${width}×${height}`, { file });
  if (maxval <= 0 || maxval > 255) throw new ConvkitError(`bad PNM header: maxval ${maxval} (only 1–255 supported)`, { file });
  const n = width * height * channels;
  // the size the header declares is checked against the bytes there before anything is allocated: a header claiming
  // 10⁹×10⁹ pixels is a bad file (skipped by --skip-bad), not an allocation failure
  const binary = kind === '5' || kind === '6';
  if (binary) pos++; // exactly one whitespace byte ends the header
  const have = buf.length - pos;
  if (have < (binary ? n : n - 1)) throw new ConvkitError(binary ? `truncated pixel data: ${have} of ${n} bytes for ${width}×${height}×${channels}` : `truncated pixel data: ${have} bytes cannot hold ${n} values`, { file });
  const data = new Uint8Array(n);
  if (binary) {
    data.set(buf.subarray(pos, pos + n));
  } else {
    for (let i = 0; i < n; i++) {
      if (pos >= buf.length) throw new ConvkitError(`truncated pixel data: ${i} of ${n} values`, { file });
      data[i] = readToken('pixel value');
    }
  }
  if (maxval !== 255) {
    for (let i = 0; i < n; i++) {
      if (data[i] > maxval) throw new ConvkitError(`pixel value ${data[i]} above maxval ${maxval}`, { file });
      data[i] = Math.round((data[i] * 255) / maxval);
    }
  }
  return { data, width, height, channels };
}

export async function readPnm(file: string): Promise<RawImage> {
  return parsePnm(await readInputFile(file), file);
}
