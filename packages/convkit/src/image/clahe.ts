// Hand-written: contrast-limited adaptive histogram equalisation replicating skimage 0.19's
// `exposure.equalize_adapthist` step by step (uint16 scaling, 14-bit range, reflect padding, per-tile clipped
// histograms with its redistribution loop, bilinear blend of the 4 nearest tile mappings, final min–max stretch).
// No JS library implements CLAHE; following skimage exactly keeps the L-CLAHE sets comparable with the course's.
import { floatToUint, rint } from './color.js';

const NR_OF_GRAY = 2 ** 14;

export interface ClaheOptions {
  /** Contextual region size [rows, cols]; default 1/8 of each dimension (at least 1). */
  kernelSize?: [number, number];
  /** Normalised clip limit (skimage default 0.01). */
  clipLimit?: number;
  /** Histogram bins (skimage default 256). */
  nbins?: number;
}

/** numpy.pad(mode='reflect') index (mirror without repeating the edge). */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

/** skimage `clip_histogram`: clip bins at `limit`, redistribute the excess (including its quirks). */
export function clipHistogram(hist: Float64Array, limit: number): void {
  const size = hist.length;
  let nExcess = 0;
  for (let i = 0; i < size; i++) {
    if (hist[i] > limit) {
      nExcess += hist[i] - limit;
      hist[i] = limit;
    }
  }
  const binIncr = Math.floor(nExcess / size);
  const upper = limit - binIncr;
  for (let i = 0; i < size; i++) {
    if (hist[i] < upper) {
      hist[i] += binIncr;
      nExcess -= binIncr;
    }
  }
  for (let i = 0; i < size; i++) {
    if (hist[i] >= upper && hist[i] < limit) {
      nExcess += hist[i] - limit;
      hist[i] = limit;
    }
  }
  while (nExcess > 0) {
    const prev = nExcess;
    for (let index = 0; index < size; index++) {
      let under = 0;
      for (let i = 0; i < size; i++) if (hist[i] < limit) under++;
      const step = Math.max(1, Math.floor(under / nExcess));
      for (let i = index; i < size; i += step) {
        if (hist[i] < limit) {
          hist[i]++;
          nExcess--;
        }
      }
      if (nExcess <= 0) break;
    }
    if (prev === nExcess) break;
  }
}

/** skimage `exposure.equalize_adapthist(values)` for a grey float image in [0, 1]; returns float64 in [0, 1]. */
export function clahe(values: ArrayLike<number>, height: number, width: number, opts: ClaheOptions = {}): Float64Array {
  const clipLimit = opts.clipLimit ?? 0.01;
  const nbins = opts.nbins ?? 256;
  const [k0, k1] = opts.kernelSize ?? [Math.max(Math.floor(height / 8), 1), Math.max(Math.floor(width / 8), 1)];

  // img_as_uint, then rescale_intensity to [0, 2^14 - 1] and round
  const u16 = floatToUint(values, 65535);
  let imin = Infinity;
  let imax = -Infinity;
  for (let i = 0; i < u16.length; i++) {
    if (u16[i] < imin) imin = u16[i];
    if (u16[i] > imax) imax = u16[i];
  }
  const img = new Uint16Array(u16.length);
  for (let i = 0; i < u16.length; i++) {
    img[i] = imin !== imax ? rint(((u16[i] - imin) / (imax - imin)) * (NR_OF_GRAY - 1)) : Math.min(u16[i], NR_OF_GRAY - 1);
  }

  // reflect-pad so each size is a multiple of the kernel, preceded by half a kernel; map grey levels to bins
  const p0 = Math.floor(k0 / 2);
  const p1 = Math.floor(k1 / 2);
  const H = height + p0 + (((k0 - (height % k0)) % k0) + Math.ceil(k0 / 2));
  const W = width + p1 + (((k1 - (width % k1)) % k1) + Math.ceil(k1 / 2));
  const binSize = 1 + Math.floor(NR_OF_GRAY / nbins);
  const padded = new Int32Array(H * W);
  for (let r = 0; r < H; r++) {
    const sr = reflect(r - p0, height);
    for (let c = 0; c < W; c++) padded[r * W + c] = Math.floor(img[sr * width + reflect(c - p1, width)] / binSize);
  }

  // clipped, cumulated histogram (mapping) of each contextual region
  const n0 = H / k0 - 1;
  const n1 = W / k1 - 1;
  const npix = k0 * k1;
  const clim = clipLimit > 0 ? Math.max(1, Math.trunc(clipLimit * npix)) : npix;
  const maps = new Int32Array(n0 * n1 * nbins);
  const hist = new Float64Array(nbins);
  const scale = (NR_OF_GRAY - 1) / npix;
  for (let b0 = 0; b0 < n0; b0++) {
    for (let b1 = 0; b1 < n1; b1++) {
      hist.fill(0);
      for (let r = 0; r < k0; r++) {
        const row = (p0 + b0 * k0 + r) * W + p1 + b1 * k1;
        for (let c = 0; c < k1; c++) hist[padded[row + c]]++;
      }
      clipHistogram(hist, clim);
      const m = (b0 * n1 + b1) * nbins;
      let acc = 0;
      for (let i = 0; i < nbins; i++) {
        acc += hist[i];
        maps[m + i] = Math.trunc(Math.min(acc * scale, NR_OF_GRAY - 1));
      }
    }
  }
  // edge-padded map lookup: region (i, j) of the padded grid, clamped
  const mapAt = (i: number, j: number): number => (Math.min(Math.max(i - 1, 0), n0 - 1) * n1 + Math.min(Math.max(j - 1, 0), n1 - 1)) * nbins;

  // bilinear blend of the four neighbouring mappings, accumulated in float32, truncated to uint16
  const res = new Uint16Array(height * width);
  for (let r = 0; r < height; r++) {
    const pr = r + p0;
    const b0 = Math.floor(pr / k0);
    const fr = (pr % k0) / k0;
    for (let c = 0; c < width; c++) {
      const pc = c + p1;
      const b1 = Math.floor(pc / k1);
      const fc = (pc % k1) / k1;
      const v = padded[pr * W + pc];
      let acc = 0;
      acc = Math.fround(acc + Math.fround(maps[mapAt(b0, b1) + v] * ((1 - fc) * (1 - fr))));
      acc = Math.fround(acc + Math.fround(maps[mapAt(b0, b1 + 1) + v] * (fc * (1 - fr))));
      acc = Math.fround(acc + Math.fround(maps[mapAt(b0 + 1, b1) + v] * ((1 - fc) * fr)));
      acc = Math.fround(acc + Math.fround(maps[mapAt(b0 + 1, b1 + 1) + v] * (fc * fr)));
      res[r * width + c] = Math.trunc(acc);
    }
  }

  // rescale_intensity to [0, 1]
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < res.length; i++) {
    if (res[i] < lo) lo = res[i];
    if (res[i] > hi) hi = res[i];
  }
  const out = new Float64Array(res.length);
  for (let i = 0; i < res.length; i++) out[i] = lo !== hi ? (res[i] - lo) / (hi - lo) : Math.min(Math.max(res[i], 0), 1);
  return out;
}
