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
