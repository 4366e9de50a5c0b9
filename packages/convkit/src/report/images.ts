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

/** Side of a class's sign thumbnail: sharp at the views' largest display (34 px) on a 2× screen. */
const SIGN_SIDE = 64;
/** Part of a cached analysis's key: analyses made with other class signs (the raw stored image before) are redone. */
export const CLASS_SIGN_STYLE = `normalise 1-99 %, ${SIGN_SIDE}x${SIGN_SIDE} cubic, CLAHE 16x16 slope 3`;

/**
 * Image `i` of a split as a class's sign that reads whatever the set's size and colour mode: the stored image (at
 * 24×24 L often a dark photo) gets its levels stretched (sharp's normalise: the 1st–99th luminance percentiles to the
 * full range), is enlarged smoothly to 64×64, then locally equalised (sharp's CLAHE, 16×16 tiles) for the dark or
 * washed-out pictograms a global stretch leaves, so that a 15–34 px thumbnail is neither a black square nor a blur.
 */
export async function classSignUri(split: ImageSplit, i: number, height: number, width: number, channels: number): Promise<string> {
  const per = height * width * channels;
  const src = split.x.subarray(i * per, (i + 1) * per);
  const bytes = src instanceof Uint8Array ? src : Uint8Array.from(src, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
  const { default: sharp } = await import('sharp');
  const png = await sharp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { raw: { width, height, channels: channels === 1 ? 1 : 3 } })
    .normalise({ lower: 1, upper: 99 })
    .resize(SIGN_SIDE, SIGN_SIDE, { fit: 'fill', kernel: 'cubic' })
    .clahe({ width: 16, height: 16, maxSlope: 3 })
    .toColourspace(channels === 1 ? 'b-w' : 'srgb') // sharp works in sRGB: a grey set's sign stays one channel
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
