// Hand-written: the perceptual hash (pHash: DCT, low frequencies, median) of images already decoded in memory.
// sharp-phash and imghash take an encoded file per image through sharp or jimp (GTSRB's PPM is neither's, and 40,000
// decode round trips cost more than the hash); the DCT of a 32×32 image is a few lines.

/** Lowest DCT frequencies kept per axis: 12×12 tells a 50 from a 120 sign at 32×32, where the usual 8×8 does not. */
const K = 12;
/** Bits of a hash: the K×K lowest DCT frequencies but the constant one. */
export const HASH_BITS = K * K - 1;
/** 32-bit words per hash. */
export const HASH_WORDS = Math.ceil(HASH_BITS / 32);

const cosTables = new Map<number, Float64Array>();
/** cos(π (2x + 1) k / 2n) for k < 8, x < n: row k of the DCT-II basis. */
function cosTable(n: number): Float64Array {
  let t = cosTables.get(n);
  if (!t) {
    t = new Float64Array(K * n);
    for (let k = 0; k < K; k++) for (let x = 0; x < n; x++) t[k * n + x] = Math.cos((Math.PI * (2 * x + 1) * k) / (2 * n));
    cosTables.set(n, t);
  }
  return t;
}

/**
 * pHash of one luminance image (h×w, row-major, any scale) into `out` at word `at`: the K×K lowest frequencies of its
 * 2-D DCT-II, each bit set when its coefficient is above the median of them (the constant term left out). Invariant to
 * brightness and contrast changes (a scaled, shifted image has the same hash), stable under re-encoding and slight
 * resizing or blur. Bit b is bit b % 32 of word `at + b / 32`.
 */
export function perceptualHash(lum: ArrayLike<number>, h: number, w: number, out: Uint32Array = new Uint32Array(HASH_WORDS), at = 0): Uint32Array {
  const cx = cosTable(w);
  const cy = cosTable(h);
  // rows first: r[y][v] = Σx lum[y][x] cos_v(x)
  const r = new Float64Array(h * K);
  for (let y = 0; y < h; y++) {
    for (let v = 0; v < K; v++) {
      let s = 0;
      for (let x = 0; x < w; x++) s += lum[y * w + x] * cx[v * w + x];
      r[y * K + v] = s;
    }
  }
  const c = new Float64Array(HASH_BITS);
  for (let u = 0; u < K; u++) {
    for (let v = 0; v < K; v++) {
      if (u === 0 && v === 0) continue;
      let s = 0;
      for (let y = 0; y < h; y++) s += r[y * K + v] * cy[u * h + y];
      c[u * K + v - 1] = s;
    }
  }
  const median = Float64Array.from(c).sort()[HASH_BITS >> 1];
  out.fill(0, at, at + HASH_WORDS);
  for (let b = 0; b < HASH_BITS; b++) if (c[b] > median) out[at + (b >>> 5)] |= 1 << (b & 31);
  return out;
}

export function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Bits that differ between hashes i and j of a packed array (HASH_WORDS words per image). */
export function hammingAt(hashes: Uint32Array, i: number, j: number): number {
  let d = 0;
  for (let k = 0; k < HASH_WORDS; k++) d += popcount(hashes[i * HASH_WORDS + k] ^ hashes[j * HASH_WORDS + k]);
  return d;
}

/**
 * Every pair of hashes at most `threshold` bits apart, without comparing all pairs: the bits are cut into
 * `threshold + 1` bands, and two hashes that close agree exactly on at least one band (pigeonhole), so only images
 * sharing a band's value are compared (multi-index hashing, Norouzi et al. 2012). Calls `onPair(i, j, distance)` once per
 * pair, i < j.
 */
export function pairsWithin(hashes: Uint32Array, threshold: number, onPair: (i: number, j: number, distance: number) => void): void {
  const n = hashes.length / HASH_WORDS;
  const bands = threshold + 1;
  const bandOf = (i: number, b: number): number => {
    // bits [start, end) of the hash
    const start = Math.floor((b * HASH_BITS) / bands);
    const end = Math.floor(((b + 1) * HASH_BITS) / bands);
    let v = 0;
    for (let bit = start; bit < end; bit++) v = v * 2 + ((hashes[i * HASH_WORDS + (bit >>> 5)] >>> (bit & 31)) & 1);
    return v;
  };
  const keys: Float64Array[] = [];
  for (let b = 0; b < bands; b++) keys.push(Float64Array.from({ length: n }, (_, i) => bandOf(i, b)));
  for (let b = 0; b < bands; b++) {
    const buckets = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const list = buckets.get(keys[b][i]);
      if (list) list.push(i);
      else buckets.set(keys[b][i], [i]);
    }
    for (const list of buckets.values()) {
      for (let a = 0; a < list.length; a++) {
        for (let z = a + 1; z < list.length; z++) {
          const i = list[a];
          const j = list[z];
          // reported in the first band the two agree on, so once
          let earlier = false;
          for (let e = 0; e < b && !earlier; e++) earlier = keys[e][i] === keys[e][j];
          if (earlier) continue;
          const d = hammingAt(hashes, i, j);
          if (d <= threshold) onPair(i, j, d);
        }
      }
    }
  }
}
