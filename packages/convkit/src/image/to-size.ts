import { ConvkitError } from '../util/errors.js';
import type { RawImage } from './raw-image.js';

/** Converts an image to a model input: `channels` 1 (luminance) or 3, resized to height×width, uint8 NHWC. */
export async function toSize(img: RawImage, height: number, width: number, channels: 1 | 3): Promise<Uint8Array> {
  const { default: sharp } = await import('sharp'); // loaded on first use: importing convkit never loads libvips
  let pipeline = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: img.channels },
  });
  if (img.channels === 4) pipeline = pipeline.removeAlpha();
  if (channels === 1 && img.channels !== 1) pipeline = pipeline.grayscale();
  if (channels === 3 && img.channels === 1) pipeline = pipeline.toColourspace('srgb');
  if (img.width !== width || img.height !== height) pipeline = pipeline.resize(width, height, { fit: 'fill', kernel: 'lanczos3' });
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== channels) {
    // sharp keeps 3 bands for a grey image promoted to sRGB only sometimes; fix the count by hand.
    const out = new Uint8Array(width * height * channels);
    for (let i = 0; i < width * height; i++) {
      for (let c = 0; c < channels; c++) out[i * channels + c] = data[i * info.channels + Math.min(c, info.channels - 1)];
    }
    return out;
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
