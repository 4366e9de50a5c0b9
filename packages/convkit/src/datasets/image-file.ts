import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { ConvkitError } from '../util/errors.js';
import { parsePnm, type RawImage } from './pnm.js';

/** Decodes PNG/JPEG (sharp) or PGM/PPM (hand-written parser) into raw 8-bit pixels. */
export async function readImage(file: string): Promise<RawImage> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch (e) {
    throw new ConvkitError((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'cannot read', { file });
  }
  const ext = path.extname(file).toLowerCase();
  if (['.pgm', '.ppm', '.pnm'].includes(ext) || (buf[0] === 0x50 && [0x32, 0x33, 0x35, 0x36].includes(buf[1]))) {
    return parsePnm(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), file);
  }
  try {
    const { data, info } = await sharp(buf).raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels as 1 | 3 | 4 };
  } catch (e) {
    throw new ConvkitError(`cannot decode image (${(e as Error).message})`, { file });
  }
}
