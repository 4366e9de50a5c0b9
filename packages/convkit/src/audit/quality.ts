import { LUMA_WEIGHTS } from '../image/color.js';
import type { AuditSplitName, FlaggedImage, QualityCheck, QualityReport } from './audit-types.js';
import { imageName, luminanceOf, type AuditSplit } from './load.js';

/** How far below the set's typical value an image is flagged: robust z-score of the log measure (MAD × 1.4826 ≈ σ). */
export const QUALITY_Z = 3;
const EPS = 1e-3;

/** Brightness, contrast and sharpness of one luminance image (values in [0, 1]). */
export function imageMeasures(lum: Float64Array, h: number, w: number): { brightness: number; contrast: number; sharpness: number } {
  const n = h * w;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += lum[i];
  const mean = sum / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (lum[i] - mean) ** 2;
  const contrast = Math.sqrt(v / n);
  // 4-neighbour Laplacian over the interior; its spread relative to the contrast, so that a dark or flat image is
  // not also called blurred
  let ls = 0;
  let ls2 = 0;
  let m = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const l = lum[i - 1] + lum[i + 1] + lum[i - w] + lum[i + w] - 4 * lum[i];
      ls += l;
      ls2 += l * l;
      m++;
    }
  }
  const lapStd = m ? Math.sqrt(Math.max(0, ls2 / m - (ls / m) ** 2)) : 0;
  return { brightness: mean, contrast, sharpness: lapStd / (contrast + EPS) };
}

function median(values: Float64Array): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  return n ? (n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN;
}

interface Measured {
  name: AuditSplitName;
  split: AuditSplit;
  index: number;
}

/** The images whose measure is more than QUALITY_Z robust deviations below the median, in log space; worst first. */
function check(measure: string, values: Float64Array, who: Measured[], skipped?: string): QualityCheck {
  if (skipped || !values.length) return { measure, rule: '', threshold: null, median: null, measured: 0, images: [], skipped: skipped ?? 'no image' };
  const logs = values.map((v) => Math.log(v + EPS));
  const m = median(logs);
  const mad = median(logs.map((v) => Math.abs(v - m))) * 1.4826;
  const threshold = Math.exp(m - QUALITY_Z * mad) - EPS;
  const images: FlaggedImage[] = [];
  for (let k = 0; k < values.length; k++) {
    if (values[k] >= threshold) continue;
    const { name, split, index } = who[k];
    images.push({ file: imageName(split, name, index), split: name, index, class: split.y[index], value: values[k] });
  }
  images.sort((a, b) => a.value - b.value);
  return {
    measure,
    rule: `below exp(median(log v) − ${QUALITY_Z} × 1.4826 × MAD(log v)) over the ${values.length} images (train and test), v = the measure + ${EPS}`,
    threshold,
    median: Math.exp(m) - EPS,
    measured: values.length,
    images,
  };
}

/**
 * Brightness (mean luminance), contrast (its standard deviation), sharpness (spread of the Laplacian over the contrast)
 * and size (√(width × height) as captured) of every image, each against the set's own distribution.
 */
export function assessQuality(train: AuditSplit, test: AuditSplit, shape: { height: number; width: number; channels: number }): QualityReport {
  const t0 = performance.now();
  const { height: h, width: w, channels: c } = shape;
  const who: Measured[] = [];
  for (const [name, split] of [['train', train], ['test', test]] as const) for (let i = 0; i < split.count; i++) who.push({ name, split, index: i });
  const n = who.length;
  const brightness = new Float64Array(n);
  const contrast = new Float64Array(n);
  const sharpness = new Float64Array(n);
  const lum = new Float64Array(h * w);
  who.forEach(({ split, index }, k) => {
    const r = imageMeasures(luminanceOf(split, index, h, w, c, lum), h, w);
    brightness[k] = r.brightness;
    contrast[k] = r.contrast;
    sharpness[k] = r.sharpness;
  });
  const size = new Float64Array(n);
  let sizesKnown = true;
  who.forEach(({ split, index }, k) => {
    if (!split.sizes) sizesKnown = false;
    else size[k] = Math.sqrt(split.sizes[2 * index] * split.sizes[2 * index + 1]);
  });
  const oneSize = sizesKnown && size.every((v) => v === size[0]);
  return {
    dark: check(`brightness: mean luminance (${LUMA_WEIGHTS[0]} R + ${LUMA_WEIGHTS[1]} G + ${LUMA_WEIGHTS[2]} B) in [0, 1]`, brightness, who),
    low_contrast: check('contrast: standard deviation of the luminance (RMS contrast)', contrast, who),
    blurred: check(`sharpness: standard deviation of the 4-neighbour Laplacian of the luminance at ${h}×${w}, divided by the contrast`, sharpness, who),
    tiny: check(
      'size: √(width × height) in pixels, as captured (the CSV sizes of a GTSRB folder)',
      size,
      who,
      !sizesKnown ? `the original sizes are unknown (images stored at ${h}×${w})` : oneSize ? `every image is ${size[0]}×${size[0]}` : undefined,
    ),
    seconds: (performance.now() - t0) / 1000,
  };
}
