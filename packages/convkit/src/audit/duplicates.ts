import type { AuditSplitName, DuplicatePair, DuplicateSearch } from './audit-types.js';
import { imageName, luminanceOf, type AuditSplit } from './load.js';
import { DEFAULT_HASH_THRESHOLD } from './options.js';
import { HASH_BITS, HASH_WORDS, pairsWithin, perceptualHash } from './phash.js';

/** Pairs listed in audit.json at most (all are counted). */
export const DEFAULT_MAX_PAIRS = 5000;

export interface DuplicateOptions {
  threshold?: number;
  maxPairs?: number;
}

/** The pHash of every image, train then test: HASH_WORDS words per image. */
export function hashImages(splits: AuditSplit[], h: number, w: number, c: number): Uint32Array {
  const n = splits.reduce((s, p) => s + p.count, 0);
  const hashes = new Uint32Array(HASH_WORDS * n);
  const lum = new Float64Array(h * w);
  let k = 0;
  for (const split of splits) {
    for (let i = 0; i < split.count; i++, k++) {
      perceptualHash(luminanceOf(split, i, h, w, c, lum), h, w, hashes, k * HASH_WORDS);
    }
  }
  return hashes;
}

/**
 * Exact duplicates (same decoded pixels) and near-duplicates (pHash within `threshold` bits) among train and test.
 * A pair across the splits is a leak; a pair inside one GTSRB track is expected (one sign, frame after frame) and only
 * counted; every other pair is listed, leaks first, then exact ones, then by distance.
 */
export function findDuplicates(train: AuditSplit, test: AuditSplit, shape: { height: number; width: number; channels: number }, opts: DuplicateOptions = {}): { pairs: DuplicatePair[]; search: DuplicateSearch } {
  const t0 = performance.now();
  const threshold = opts.threshold ?? DEFAULT_HASH_THRESHOLD;
  const maxPairs = opts.maxPairs ?? DEFAULT_MAX_PAIRS;
  const nTrain = train.count;
  const hashes = hashImages([train, test], shape.height, shape.width, shape.channels);
  const at = (k: number): { split: AuditSplit; name: AuditSplitName; index: number } => (k < nTrain ? { split: train, name: 'train', index: k } : { split: test, name: 'test', index: k - nTrain });
  const digestOf = (k: number) => (k < nTrain ? train.digests[k] : test.digests[k - nTrain]);
  const trackOf = (k: number) => (k < nTrain ? (train.tracks?.[k] ?? -1) : (test.tracks?.[k - nTrain] ?? -1));

  const counts = { leak: 0, train: 0, test: 0, exact: 0 };
  const trackPairs = new Map<number, number>();
  let trackExact = 0;
  const found: { a: number; b: number; d: number; exact: boolean; kind: DuplicatePair['kind'] }[] = [];
  const add = (a: number, b: number, d: number, exact: boolean) => {
    const ta = trackOf(a);
    if (ta >= 0 && ta === trackOf(b) && (a < nTrain) === (b < nTrain)) {
      trackPairs.set(ta, (trackPairs.get(ta) ?? 0) + 1);
      if (exact) trackExact++;
      return;
    }
    const kind = (a < nTrain) !== (b < nTrain) ? 'leak' : a < nTrain ? 'train' : 'test';
    counts[kind]++;
    if (exact) counts.exact++;
    found.push({ a, b, d, exact, kind });
  };

  // exact: equal digests (at the original size)
  const byDigest = new Map<string, number[]>();
  for (let k = 0; k < hashes.length / HASH_WORDS; k++) {
    const d = digestOf(k);
    const list = byDigest.get(d);
    if (list) list.push(k);
    else byDigest.set(d, [k]);
  }
  for (const list of byDigest.values()) for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) add(list[i], list[j], 0, true);
  // near: close hashes, pixels not identical
  pairsWithin(hashes, threshold, (a, b, d) => {
    if (digestOf(a) !== digestOf(b)) add(a, b, d, false);
  });

  const rank = { leak: 0, train: 1, test: 2 };
  found.sort((p, q) => rank[p.kind] - rank[q.kind] || Number(q.exact) - Number(p.exact) || p.d - q.d || p.a - q.a || p.b - q.b);
  const pairs: DuplicatePair[] = found.slice(0, maxPairs).map(({ a, b, d, exact, kind }) => {
    const x = at(a);
    const y = at(b);
    return {
      files: [imageName(x.split, x.name, x.index), imageName(y.split, y.name, y.index)],
      splits: [x.name, y.name],
      indices: [x.index, y.index],
      classes: [x.split.y[x.index], y.split.y[y.index]],
      distance: d,
      exact,
      kind,
    };
  });
  const tracks = train.tracks ? new Set(Array.from(train.tracks).filter((t) => t >= 0)).size : 0;
  return {
    pairs,
    search: {
      method: 'pHash: 2-D DCT of the luminance at the analysed size, the 12×12 lowest frequencies but the constant one, each bit = above their median; exact: SHA-256 of the decoded pixels',
      bits: HASH_BITS,
      threshold,
      counts,
      tracks: train.tracks ? { tracks, pairs: [...trackPairs.values()].reduce((s, v) => s + v, 0), exact_pairs: trackExact, tracks_with_pairs: trackPairs.size } : null,
      listed: pairs.length,
      seconds: (performance.now() - t0) / 1000,
    },
  };
}
