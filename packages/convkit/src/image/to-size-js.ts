// Hand-written: what `to-size.ts` asks of sharp (libvips), in plain TypeScript for the dashboard's try-it panel, where
// no libvips runs. No browser API does it: canvas scaling is neither Lanczos nor specified, and libvips's wasm build
// (wasm-vips) is a multi-megabyte module built with threads (SharedArrayBuffer, so cross-origin isolation headers).
// Not bit-exact with libvips (its fixed-point kernels differ); `model-input.test.ts` measures the difference.
import type { RawImage } from './raw-image.js';

const LANCZOS_A = 3;

/** sRGB 8-bit → linear light (libvips sRGB2scRGB). */
const TO_LINEAR = Float64Array.from({ length: 256 }, (_, v) => {
  const x = v / 255;
  return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
});

function toSrgbByte(y: number): number {
  const x = y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055;
  return Math.max(0, Math.min(255, Math.round(x * 255)));
}

function lanczos(x: number): number {
  if (x === 0) return 1;
  if (x <= -LANCZOS_A || x >= LANCZOS_A) return 0;
  const px = Math.PI * x;
  return (LANCZOS_A * Math.sin(px) * Math.sin(px / LANCZOS_A)) / (px * px);
}

/** Box average by an integer factor along one axis (libvips shrink), edge pixels repeated for a partial last box. */
function boxShrink(src: Float32Array, n: number, stride: number, k: number): { data: Float32Array; n: number } {
  const m = Math.ceil(n / k);
  const out = new Float32Array((src.length / n) * m);
  const outer = src.length / (n * stride);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < m; i++) {
      for (let s = 0; s < stride; s++) {
        let sum = 0;
        for (let j = 0; j < k; j++) sum += src[o * n * stride + Math.min(i * k + j, n - 1) * stride + s];
        out[o * m * stride + i * stride + s] = Math.round(sum / k);
      }
    }
  }
  return { data: out, n: m };
}

/** Catmull-Rom cubic (libvips's bicubic interpolator, which its resize uses to enlarge). */
function cubic(x: number): number {
  x = Math.abs(x);
  if (x < 1) return 1.5 * x ** 3 - 2.5 * x ** 2 + 1;
  if (x < 2) return -0.5 * x ** 3 + 2.5 * x ** 2 - 4 * x + 2;
  return 0;
}

/**
 * Resampling along one axis from n to m samples, rounded to bytes as libvips keeps uchar images uchar between passes.
 * Shrinking: Lanczos-3 widened by the factor, pixel centres aligned; enlarging: Catmull-Rom at input x = i·n/m − 0.5
 * (libvips's affine placement, measured against sharp). Edge pixels repeat.
 */
function resampleAxis(src: Float32Array, n: number, stride: number, m: number): Float32Array {
  const outer = src.length / (n * stride);
  const out = new Float32Array(outer * m * stride);
  const scale = n / m;
  const shrink = scale > 1;
  const radius = shrink ? LANCZOS_A * scale : 2;
  for (let i = 0; i < m; i++) {
    const centre = shrink ? (i + 0.5) * scale - 0.5 : i * scale - 0.5;
    const idx: number[] = [];
    const wt: number[] = [];
    let sum = 0;
    for (let j = Math.floor(centre - radius) + 1; j <= Math.ceil(centre + radius) - 1; j++) {
      const w = shrink ? lanczos((j - centre) / scale) : cubic(j - centre);
      if (w === 0) continue;
      idx.push(Math.max(0, Math.min(n - 1, j)));
      wt.push(w);
      sum += w;
    }
    for (let o = 0; o < outer; o++) {
      for (let s = 0; s < stride; s++) {
        let v = 0;
        for (let t = 0; t < idx.length; t++) v += src[o * n * stride + idx[t] * stride + s] * wt[t];
        out[o * m * stride + i * stride + s] = Math.max(0, Math.min(255, Math.round(v / sum)));
      }
    }
  }
  return out;
}

/** Resize of byte-valued samples as libvips `resize` with the Lanczos-3 kernel: box pre-shrink (its reducing gap of 2), then one axis at a time. */
function resizeBytes(data: Float32Array, h: number, w: number, c: number, height: number, width: number): Float32Array {
  let cur = data;
  let ch = h;
  let cw = w;
  const kv = Math.floor(h / height / 2);
  const kh = Math.floor(w / width / 2);
  if (kv > 1) ({ data: cur, n: ch } = boxShrink(cur, ch, cw * c, kv));
  if (kh > 1) ({ data: cur, n: cw } = boxShrink(cur, cw, c, kh));
  // order measured against sharp: rows first when shrinking (libvips reducev, then reduceh), columns first when enlarging
  if (width > cw) cur = resampleAxis(cur, cw, c, (cw = width));
  if (ch !== height) cur = resampleAxis(cur, ch, cw * c, height);
  if (cw !== width) cur = resampleAxis(cur, cw, c, width);
  return cur;
}

/**
 * `toSize` (sharp: alpha dropped, sRGB → grey in linear light, Lanczos-3 resize to fill) re-implemented without
 * libvips: uint8 NHWC, `channels` 1 or 3.
 */
export function toSizeJs(img: RawImage, height: number, width: number, channels: 1 | 3): Uint8Array {
  const { width: w, height: h, data } = img;
  const n = w * h;
  const alpha = img.channels === 4;
  const colour = img.channels !== 1;
  // the bands processed: grey (sharp's greyscale) or RGB, then alpha; whole numbers 0..255 between steps (libvips's
  // uchar), so float32 holds them exactly at half float64's memory (a 12-megapixel photo is 48 M samples)
  const bands = (channels === 1 || !colour ? 1 : 3) + (alpha ? 1 : 0);
  const resize = w !== width || h !== height;
  // sharp premultiplies by alpha (back to bytes) before resizing and divides after; without a resize it keeps the values
  const premultiplied = alpha && resize;
  const f = new Float32Array(n * bands);
  for (let p = 0; p < n; p++) {
    const src = p * img.channels;
    const a = alpha ? data[src + 3] : 255;
    let k = 0;
    if (channels === 1 && colour) f[p * bands + k++] = toSrgbByte(0.2126 * TO_LINEAR[data[src]] + 0.7152 * TO_LINEAR[data[src + 1]] + 0.0722 * TO_LINEAR[data[src + 2]]);
    else for (let b = 0; b < (colour ? 3 : 1); b++) f[p * bands + k++] = data[src + b];
    if (alpha) f[p * bands + k] = a;
    if (premultiplied) for (let b = 0; b < k; b++) f[p * bands + b] = Math.floor((f[p * bands + b] * a) / 255); // truncated, as measured against sharp
  }
  const resized = resize ? resizeBytes(f, h, w, bands, height, width) : f;
  const colourBands = bands - (alpha ? 1 : 0);
  const out = new Uint8Array(width * height * channels);
  for (let p = 0; p < width * height; p++) {
    const a = alpha ? resized[p * bands + colourBands] : 255;
    for (let b = 0; b < channels; b++) {
      let v = resized[p * bands + Math.min(b, colourBands - 1)];
      if (premultiplied) v = a > 0 ? (v * 255) / a : 0;
      out[p * channels + b] = Math.max(0, Math.min(255, premultiplied ? Math.floor(v) : Math.round(v)));
    }
  }
  return out;
}
