// Colour conversions on RGB images in [0, 1], computed as scikit-image does so prepared sets match the course's.

/** Luminance weights of skimage's `color.rgb2gray` (ITU-R BT.709 primaries): L = 0.2125 R + 0.7154 G + 0.0721 B. */
export const LUMA_WEIGHTS = [0.2125, 0.7154, 0.0721] as const;

/** Luminance of an interleaved RGB float image in [0, 1], in float64 (skimage `color.rgb2gray`). */
export function luminance(rgb: ArrayLike<number>, pixels: number): Float64Array {
  const out = new Float64Array(pixels);
  const [wr, wg, wb] = LUMA_WEIGHTS;
  for (let i = 0, j = 0; i < pixels; i++, j += 3) out[i] = rgb[j] * wr + rgb[j + 1] * wg + rgb[j + 2] * wb;
  return out;
}

/** Round half to even, as numpy's `rint`. */
export function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * skimage's `img_as_ubyte` / `img_as_uint` for floats in [0, 1]: scale by the integer maximum in float32
 * (the computation type skimage picks), round half to even, clip.
 */
export function floatToUint(values: ArrayLike<number>, max: 255 | 65535): Uint8Array | Uint16Array {
  const out = max === 255 ? new Uint8Array(values.length) : new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = rint(Math.fround(Math.fround(values[i]) * max));
    out[i] = v < 0 ? 0 : v > max ? max : v;
  }
  return out;
}

/** 8-bit values to float32 in [0, 1]. */
export function bytesToUnit(data: Uint8Array): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] / 255;
  return out;
}
