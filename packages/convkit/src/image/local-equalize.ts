// Hand-written: local (rank) histogram equalisation over a disk, as skimage's `filters.rank.equalize(img, disk(r))`
// on 8-bit values; no JS library has it. Two exact algorithms, chosen by width:
//  - small images (the course's 24–48 px): pixels visited in increasing grey level, each inserted into per-row
//    prefix counts, each queried with 2 lookups per disk row once every pixel ≤ its level is in (~1.6× faster);
//  - larger ones: a sliding histogram (add the disk's right edge, drop its left edge per step) with a 16-bucket
//    coarse level, ~4r+32 operations per pixel instead of a full window recount.

/** Half-widths of skimage's `disk(radius)` per row offset: points with dx² + dy² ≤ r². */
export function diskHalfWidths(radius: number): Int32Array {
  const hw = new Int32Array(2 * radius + 1);
  for (let dy = -radius; dy <= radius; dy++) hw[dy + radius] = Math.floor(Math.sqrt(radius * radius - dy * dy) + 1e-9);
  return hw;
}

/** Widths up to this use the sorted prefix-count algorithm (its insertion cost grows with the width). */
const SORTED_MAX_WIDTH = 64;

/**
 * For each pixel g: floor(255 × #(neighbours ≤ g) / #neighbours), neighbours = disk pixels inside the image
 * (skimage counts only in-image pixels; it uses 256 bins for 8-bit input). Returns 8-bit values.
 */
export function localEqualize(gray: Uint8Array, height: number, width: number, radius = 10): Uint8Array {
  return width <= SORTED_MAX_WIDTH ? localEqualizeSorted(gray, height, width, radius) : localEqualizeSliding(gray, height, width, radius);
}

/** `localEqualize` by increasing grey level with per-row prefix counts. */
export function localEqualizeSorted(gray: Uint8Array, height: number, width: number, radius = 10): Uint8Array {
  const n = height * width;
  const out = new Uint8Array(n);
  const hw = diskHalfWidths(radius);
  // pixel indices sorted by grey level (counting sort)
  const start = new Int32Array(257);
  for (let i = 0; i < n; i++) start[gray[i] + 1]++;
  for (let v = 0; v < 256; v++) start[v + 1] += start[v];
  const order = new Int32Array(n);
  const next = start.slice(0, 256);
  for (let i = 0; i < n; i++) order[next[gray[i]]++] = i;
  // prefix[y·(W+1) + x] = pixels inserted so far in row y at columns < x
  const W1 = width + 1;
  const prefix = new Int32Array(height * W1);
  for (let v = 0; v < 256; v++) {
    const s = start[v];
    const e = start[v + 1];
    if (s === e) continue;
    // insert every pixel of this level before querying any (the count includes ties)
    for (let k = s; k < e; k++) {
      const i = order[k];
      const y = (i / width) | 0;
      const row = y * W1;
      for (let c = i - y * width + 1; c <= width; c++) prefix[row + c]++;
    }
    for (let k = s; k < e; k++) {
      const i = order[k];
      const y = (i / width) | 0;
      const x = i - y * width;
      const y0 = y - radius < 0 ? 0 : y - radius;
      const y1 = y + radius >= height ? height - 1 : y + radius;
      let count = 0;
      let pop = 0;
      for (let yy = y0; yy <= y1; yy++) {
        const h = hw[yy - y + radius];
        const a = x - h < 0 ? 0 : x - h;
        const b = x + h >= width ? width - 1 : x + h;
        const row = yy * W1;
        count += prefix[row + b + 1] - prefix[row + a];
        pop += b - a + 1;
      }
      out[i] = Math.floor((255 * count) / pop);
    }
  }
  return out;
}

/** `localEqualize` with a sliding two-level histogram. */
export function localEqualizeSliding(gray: Uint8Array, height: number, width: number, radius = 10): Uint8Array {
  const out = new Uint8Array(height * width);
  const hw = diskHalfWidths(radius);
  let diskCount = 0;
  for (const h of hw) diskCount += 2 * h + 1;
  // pad by the radius with an "outside" value (bin 256) so the sliding loop has no bounds checks;
  // the neighbour count is the disk size minus the outside pixels in the window
  const OUT = 256;
  const pw = width + 2 * radius;
  const pad = new Uint16Array((height + 2 * radius) * pw).fill(OUT);
  for (let y = 0; y < height; y++) pad.set(gray.subarray(y * width, (y + 1) * width), (y + radius) * pw + radius);
  const fine = new Int32Array(257);
  const coarse = new Int32Array(17);
  const rowStart = new Int32Array(2 * radius + 1);
  for (let y = 0; y < height; y++) {
    fine.fill(0);
    coarse.fill(0);
    // window centred at (y, 0): padded rows y .. y + 2r, columns r - h .. r + h
    for (let k = 0; k <= 2 * radius; k++) {
      const h = hw[k];
      const row = (y + k) * pw + radius;
      rowStart[k] = row;
      for (let dx = -h; dx <= h; dx++) {
        const v = pad[row + dx];
        fine[v]++;
        coarse[v >> 4]++;
      }
    }
    const o = y * width;
    for (let x = 0; ; ) {
      const g = gray[o + x];
      let sum = 0;
      const cg = g >> 4;
      for (let c = 0; c < cg; c++) sum += coarse[c];
      for (let v = cg << 4; v <= g; v++) sum += fine[v];
      out[o + x] = Math.floor((255 * sum) / (diskCount - fine[OUT]));
      if (++x >= width) break;
      // slide right: drop column x-1-h, add column x+h of each disk row
      for (let k = 0; k <= 2 * radius; k++) {
        const h = hw[k];
        const row = rowStart[k] + x;
        const vo = pad[row - 1 - h];
        fine[vo]--;
        coarse[vo >> 4]--;
        const vi = pad[row + h];
        fine[vi]++;
        coarse[vi >> 4]++;
      }
    }
  }
  return out;
}
