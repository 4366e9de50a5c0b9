import { clahe } from './clahe.js';
import { bytesToUnit, floatToUint, luminance } from './color.js';
import { equalizeHist, equalizeRgbValue } from './equalize.js';
import { localEqualize } from './local-equalize.js';

/** The course's colour modes (Fidle GTSRB notebook), in its order. */
export const PREPARE_MODES = ['RGB', 'RGB-HE', 'L', 'L-HE', 'L-LHE', 'L-CLAHE'] as const;
export type PrepareMode = (typeof PREPARE_MODES)[number];

export const LHE_RADIUS = 10;

export function modeChannels(mode: PrepareMode): 1 | 3 {
  return mode.startsWith('RGB') ? 3 : 1;
}

function toF32(values: ArrayLike<number>): Float32Array {
  return Float32Array.from(values);
}

/**
 * Applies a mode to an RGB float image in [0, 1] at its final size (what `resizeImage` returns, as skimage's
 * resize does): float32 in [0, 1], NHWC, 3 or 1 channels.
 *   RGB: pixels / 255; RGB-HE: equalise V of HSV; L: luminance (0.2125 R + 0.7154 G + 0.0721 B);
 *   L-HE: global equalisation of L; L-LHE: rank equalisation over a disk of radius 10 on 8-bit L, / 255;
 *   L-CLAHE: skimage equalize_adapthist with its defaults.
 */
export function applyMode(mode: PrepareMode, rgb: Float64Array, height: number, width: number): Float32Array {
  const pixels = height * width;
  switch (mode) {
    case 'RGB':
      return toF32(rgb);
    case 'RGB-HE':
      return equalizeRgbValue(rgb, pixels);
    case 'L':
      return toF32(luminance(rgb, pixels));
    case 'L-HE':
      return toF32(equalizeHist(luminance(rgb, pixels)));
    case 'L-LHE':
      return bytesToUnit(localEqualize(floatToUint(luminance(rgb, pixels), 255) as Uint8Array, height, width, LHE_RADIUS));
    case 'L-CLAHE':
      return toF32(clahe(luminance(rgb, pixels), height, width));
  }
}
