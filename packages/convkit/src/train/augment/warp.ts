import * as tf from '@tensorflow/tfjs-core';

export type FillMode = 'nearest' | 'constant' | 'reflect';

/**
 * Batched bilinear warp, one transform per image, with tf.image.transform's semantics (rows of
 * `[a0, a1, a2, b0, b1, b2, c0, c1]` mapping output (x, y) to the input point sampled; fill modes as TensorFlow's
 * ImageProjectiveTransformV3). The active backend's Transform kernel (onednn's is native) unless it is tfjs-cpu's,
 * which warps only the first image of a batch: then the JS loop below.
 */
export function affineWarp(images: tf.Tensor4D, transforms: Float32Array, fill: FillMode, cval: number): tf.Tensor4D {
  if (backendTransformWorks()) {
    return tf.tidy(() => tf.image.transform(images, tf.tensor2d(transforms, [transforms.length / 8, 8]), 'bilinear', fill, cval));
  }
  const [n, h, w, c] = images.shape;
  const out = warpJs(images.dataSync() as Float32Array, [n, h, w, c], transforms, fill, cval);
  return tf.tensor4d(out, [n, h, w, c]);
}

/** False when the active backend runs tfjs-cpu's Transform kernel (tfjs-cpu itself, or a backend that borrows it). */
export function backendTransformWorks(): boolean {
  const k = tf.getKernel('Transform', tf.getBackend());
  const cpu = tf.getKernel('Transform', 'cpu');
  return k !== undefined && (cpu === undefined || k.kernelFunc !== cpu.kernelFunc);
}

// Hand-written: tfjs-cpu's Transform kernel returns after the first image of a batch (tfjs 4.22), so cpu needs its own.
/** The JS warp (bilinear) on a float NHWC array; `transforms` holds 8 numbers per image. */
export function warpJs(x: Float32Array, shape: [number, number, number, number], transforms: Float32Array, fill: FillMode, cval: number): Float32Array {
  const [n, h, w, c] = shape;
  const y = new Float32Array(n * h * w * c);
  const read = (base: number, r: number, col: number, ch: number) => (r >= 0 && r < h && col >= 0 && col < w ? x[base + (r * w + col) * c + ch] : cval);
  for (let b = 0; b < n; b++) {
    const t = transforms.subarray(b * 8, b * 8 + 8);
    const base = b * h * w * c;
    for (let oy = 0; oy < h; oy++) {
      for (let ox = 0; ox < w; ox++) {
        const o = base + (oy * w + ox) * c;
        const k = t[6] * ox + t[7] * oy + 1;
        if (k === 0) {
          for (let ch = 0; ch < c; ch++) y[o + ch] = cval;
          continue;
        }
        const ix = mapCoord((t[0] * ox + t[1] * oy + t[2]) / k, w, fill);
        const iy = mapCoord((t[3] * ox + t[4] * oy + t[5]) / k, h, fill);
        const x0 = Math.floor(ix);
        const y0 = Math.floor(iy);
        const fx = ix - x0;
        const fy = iy - y0;
        for (let ch = 0; ch < c; ch++) {
          const top = (1 - fx) * read(base, y0, x0, ch) + fx * read(base, y0, x0 + 1, ch);
          const bottom = (1 - fx) * read(base, y0 + 1, x0, ch) + fx * read(base, y0 + 1, x0 + 1, ch);
          y[o + ch] = (1 - fy) * top + fy * bottom;
        }
      }
    }
  }
  return y;
}

/** TensorFlow's map_coord: where an outside coordinate reads from (constant: nowhere, the fill value applies). */
function mapCoord(v: number, len: number, fill: FillMode): number {
  if (fill === 'constant') return v;
  if (fill === 'nearest') return Math.min(Math.max(v, 0), len - 1);
  // reflect: (d c b a | a b c d | d c b a)
  if (len <= 1) return 0;
  const p = 2 * len;
  let u = ((v % p) + p) % p;
  if (u >= len) u = p - 1 - u;
  return Math.min(Math.max(u, 0), len - 1);
}
