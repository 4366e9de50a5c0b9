import type { ImageSplit } from '../datasets/types.js';

/** A PNG data URI of raw 8-bit pixels (1 or 3 channels). */
export async function pngDataUri(pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Promise<string> {
  const { default: sharp } = await import('sharp'); // loaded on first use, not when convkit is imported
  const png = await sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** Image `i` of a split (uint8, or float32 in [0, 1]) as a PNG data URI. */
export function splitImageUri(split: ImageSplit, i: number, height: number, width: number, channels: number): Promise<string> {
  const per = height * width * channels;
  const src = split.x.subarray(i * per, (i + 1) * per);
  const bytes = src instanceof Uint8Array ? src : Uint8Array.from(src, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
  return pngDataUri(bytes, width, height, channels === 1 ? 1 : 3);
}
