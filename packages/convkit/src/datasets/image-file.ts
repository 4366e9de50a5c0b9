import path from 'node:path';
import { ConvkitError, readInputFile } from '../util/errors.js';
import { parsePnm, type RawImage } from './pnm.js';

/** Decodes PNG/JPEG (sharp) or PGM/PPM (hand-written parser) into raw 8-bit pixels. */
export async function readImage(file: string): Promise<RawImage> {
  const buf = await readInputFile(file);
  const ext = path.extname(file).toLowerCase();
  if (['.pgm', '.ppm', '.pnm'].includes(ext) || (buf[0] === 0x50 && [0x32, 0x33, 0x35, 0x36].includes(buf[1]))) {
    return parsePnm(buf, file);
  }
  const { default: sharp } = await import('sharp'); // loaded on the first PNG/JPEG only: PNM needs no sharp, and neither do commands that read none
  try {
    const { data, info } = await sharp(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)).raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels as 1 | 3 | 4 };
  } catch (e) {
    throw new ConvkitError(`cannot decode image (${(e as Error).message})`, { file });
  }
}

/** Grey → RGB by copying, RGBA → RGB over white (Kaggle's Meta pictograms are transparent around the sign). */
export function toRgb(img: RawImage): RawImage {
  if (img.channels === 3) return img;
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      if (img.channels === 1) out[i * 3 + c] = img.data[i];
      else {
        const a = img.data[i * 4 + 3] / 255;
        out[i * 3 + c] = Math.round(img.data[i * 4 + c] * a + 255 * (1 - a));
      }
    }
  }
  return { data: out, width: img.width, height: img.height, channels: 3 };
}
