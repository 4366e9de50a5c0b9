// The arithmetic the maths page shows, written out so each number on screen can be traced (node tests check it
// against tfjs's conv2d / relu / maxPool). Hand-written: a teaching aid, not a kernel — clarity over speed.

/** Luminance in [0, 1] of HWC bytes (ITU-R 601 weights, as `convkit prepare`'s L mode). */
export function toGray(bytes: ArrayLike<number>, height: number, width: number, channels: number): Float32Array {
  const out = new Float32Array(height * width);
  for (let p = 0; p < height * width; p++) {
    out[p] = channels === 1 ? bytes[p] / 255 : (0.299 * bytes[p * channels] + 0.587 * bytes[p * channels + 1] + 0.114 * bytes[p * channels + 2]) / 255;
  }
  return out;
}

/** The k×k window of `img` (row-major, width w) whose top-left corner is (i, j). */
export function windowAt(img: ArrayLike<number>, w: number, i: number, j: number, k = 3): number[] {
  const out: number[] = [];
  for (let u = 0; u < k; u++) for (let v = 0; v < k; v++) out.push(img[(i + u) * w + (j + v)]);
  return out;
}

export interface Map2d {
  out: Float32Array;
  height: number;
  width: number;
}

/** "valid" convolution (what Keras calls conv2d: cross-correlation, stride 1, no padding) of one channel. */
export function conv2dValid(img: ArrayLike<number>, h: number, w: number, kernel: ArrayLike<number>, bias = 0, k = 3): Map2d {
  const oh = h - k + 1;
  const ow = w - k + 1;
  const out = new Float32Array(oh * ow);
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      let s = bias;
      for (let u = 0; u < k; u++) for (let v = 0; v < k; v++) s += img[(i + u) * w + (j + v)] * kernel[u * k + v];
      out[i * ow + j] = s;
    }
  }
  return { out, height: oh, width: ow };
}

export const relu = (a: ArrayLike<number>): Float32Array => Float32Array.from(a, (v: number) => (v > 0 ? v : 0));

/** 2×2 max pooling, stride 2 (a trailing odd row/column is dropped, as Keras's "valid"). */
export function maxPool2(a: ArrayLike<number>, h: number, w: number): Map2d {
  const ph = Math.floor(h / 2);
  const pw = Math.floor(w / 2);
  const out = new Float32Array(ph * pw);
  for (let i = 0; i < ph; i++) {
    for (let j = 0; j < pw; j++) {
      out[i * pw + j] = Math.max(a[2 * i * w + 2 * j], a[2 * i * w + 2 * j + 1], a[(2 * i + 1) * w + 2 * j], a[(2 * i + 1) * w + 2 * j + 1]);
    }
  }
  return { out, height: ph, width: pw };
}

/** Classic hand-made 3×3 kernels, to compare with the trained ones. */
export const PRESET_KERNELS: Record<string, number[]> = {
  'vertical edges (Sobel x)': [-1, 0, 1, -2, 0, 2, -1, 0, 1],
  'horizontal edges (Sobel y)': [-1, -2, -1, 0, 0, 0, 1, 2, 1],
  'blur (box)': [1 / 9, 1 / 9, 1 / 9, 1 / 9, 1 / 9, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
  sharpen: [0, -1, 0, -1, 5, -1, 0, -1, 0],
  'outline (Laplacian)': [-1, -1, -1, -1, 8, -1, -1, -1, -1],
};
