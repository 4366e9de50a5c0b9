import { Rng } from '../../util/rng.js';
import type { AugmentSpec } from './schema.js';

/** What is done to one image: data you can log, test and replay. */
export interface AugmentParams {
  /** Rotation, degrees. */
  angle: number;
  /** Shifts, fractions of the width / height. */
  shiftX: number;
  shiftY: number;
  /** Scales (> 1 shows a smaller image, as Keras's zoom). */
  zoomX: number;
  zoomY: number;
  /** Shear, degrees. */
  shear: number;
  /** Factor applied to pixel values. */
  brightness: number;
  /** Factor applied to the distance from the image's mean. */
  contrast: number;
  hflip: boolean;
  vflip: boolean;
}

export const IDENTITY: AugmentParams = { angle: 0, shiftX: 0, shiftY: 0, zoomX: 1, zoomY: 1, shear: 0, brightness: 1, contrast: 1, hflip: false, vflip: false };

const uniform = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng.next();

/**
 * Draws one image's parameters from `rng`. Always ten draws in a fixed order, whatever is enabled,
 * so turning one transformation on does not change the others'.
 */
export function drawFrom(rng: Rng, spec: AugmentSpec): AugmentParams {
  const u = Array.from({ length: 10 }, () => rng.next());
  const sym = (x: number, r: number) => (r === 0 ? 0 : (2 * x - 1) * r);
  const [blo, bhi] = spec.brightness ?? [1, 1];
  return {
    angle: sym(u[0], spec.rotation),
    shiftX: sym(u[1], spec.widthShift),
    shiftY: sym(u[2], spec.heightShift),
    zoomX: 1 + sym(u[3], spec.zoom),
    zoomY: 1 + sym(u[4], spec.zoom),
    shear: sym(u[5], spec.shear),
    brightness: blo + (bhi - blo) * u[6],
    contrast: 1 + sym(u[7], spec.contrast),
    hflip: spec.hflip && u[8] < 0.5,
    vflip: spec.vflip && u[9] < 0.5,
  };
}

/**
 * One image's parameters as a pure function of (seed, epoch, index): two runs with one seed draw the same,
 * and a resumed run draws what the uninterrupted one would. `index` is the image's index in the training split.
 */
export function drawParams(seed: number, epoch: number, index: number, spec: AugmentSpec): AugmentParams {
  return drawFrom(imageRng(seed, epoch, index), spec);
}

/** sfc32 keyed by (seed, epoch, index), seeded as its author recommends (three words and a counter, 12 rounds). */
export function imageRng(seed: number, epoch: number, index: number): Rng {
  const rng = new Rng([(seed ^ 0x6a09e667) >>> 0, (epoch ^ 0xbb67ae85) >>> 0, (index ^ 0x3c6ef372) >>> 0, 1]);
  for (let i = 0; i < 12; i++) rng.nextUint32();
  return rng;
}

/**
 * The warp of `p` on an h×w image as a row of tf.image.transform (`[a0, a1, a2, b0, b1, b2, 0, 0]`,
 * mapping an output pixel (x = column, y = row) to the input point it samples).
 * Same composition as Keras's apply_affine_transform: rotation · shift · shear · zoom about the centre, then flips;
 * the centre is the geometric one ((h−1)/2, (w−1)/2), where Keras uses h/2 + 0.5 (one pixel off).
 */
export function affineRow(p: AugmentParams, h: number, w: number): number[] {
  const th = (p.angle * Math.PI) / 180;
  const sh = (p.shear * Math.PI) / 180;
  const [c, s] = [Math.cos(th), Math.sin(th)];
  // Keras works in (row, col): M = R · Sh · Z with R = [[c, −s], [s, c]], Sh = [[1, −sin sh], [0, cos sh]], Z = diag(zy, zx).
  const m00 = c * p.zoomY;
  const m01 = (c * -Math.sin(sh) - s * Math.cos(sh)) * p.zoomX;
  const m10 = s * p.zoomY;
  const m11 = (s * -Math.sin(sh) + c * Math.cos(sh)) * p.zoomX;
  // The shift is applied before the rotation (Keras: R · T · Sh · Z), in pixels.
  const tr = p.shiftY * h;
  const tc = p.shiftX * w;
  const ty = c * tr - s * tc;
  const tx = s * tr + c * tc;
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  // in = centre + M · (out − centre) + t, out possibly flipped first.
  let [a0, a1, b0, b1] = [m11, m10, m01, m00]; // x_in = a0·x + a1·y, y_in = b0·x + b1·y
  let a2 = cx + tx - a0 * cx - a1 * cy;
  let b2 = cy + ty - b0 * cx - b1 * cy;
  if (p.hflip) {
    // x → (w − 1) − x
    a2 += a0 * (w - 1);
    b2 += b0 * (w - 1);
    a0 = -a0;
    b0 = -b0;
  }
  if (p.vflip) {
    a2 += a1 * (h - 1);
    b2 += b1 * (h - 1);
    a1 = -a1;
    b1 = -b1;
  }
  return [a0, a1, a2, b0, b1, b2, 0, 0];
}

/** True if `p` moves pixels (else the warp can be skipped). */
export function isGeometric(p: AugmentParams): boolean {
  return p.angle !== 0 || p.shiftX !== 0 || p.shiftY !== 0 || p.zoomX !== 1 || p.zoomY !== 1 || p.shear !== 0 || p.hflip || p.vflip;
}

/**
 * `spec` with its magnitudes multiplied by `factor` (rotation, shifts, zoom, shear, contrast, and brightness's distance
 * from 1), each capped to the range the schema allows: the stronger augmentation of `--augment-classes`.
 */
export function scaleAugment(spec: AugmentSpec, factor: number): AugmentSpec {
  const cap = (v: number, max: number) => Math.min(max, v * factor);
  return {
    ...spec,
    rotation: cap(spec.rotation, 180),
    widthShift: cap(spec.widthShift, 1),
    heightShift: cap(spec.heightShift, 1),
    zoom: cap(spec.zoom, 0.95),
    shear: cap(spec.shear, 60),
    contrast: cap(spec.contrast, 0.95),
    ...(spec.brightness ? { brightness: [Math.max(0, 1 - (1 - spec.brightness[0]) * factor), Math.min(10, 1 + (spec.brightness[1] - 1) * factor)] as [number, number] } : {}),
  };
}
