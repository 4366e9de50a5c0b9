// Hand-written: local (rank) histogram equalisation over a disk, as skimage's `filters.rank.equalize(img, disk(r))`
// on 8-bit values. A sliding histogram (add the disk's right edge, drop its left edge per step) with a 16-bucket
// coarse level makes each pixel cost ~4r+32 operations instead of a full window recount.

/** Half-widths of skimage's `disk(radius)` per row offset: points with dx² + dy² ≤ r². */
export function diskHalfWidths(radius: number): Int32Array {
  const hw = new Int32Array(2 * radius + 1);
  for (let dy = -radius; dy <= radius; dy++) hw[dy + radius] = Math.floor(Math.sqrt(radius * radius - dy * dy) + 1e-9);
  return hw;
}

/**
 * For each pixel g: floor(255 × #(neighbours ≤ g) / #neighbours), neighbours = disk pixels inside the image
 * (skimage counts only in-image pixels; it uses 256 bins for 8-bit input). Returns 8-bit values.
 */
export function localEqualize(gray: Uint8Array, height: number, width: number, radius = 10): Uint8Array {
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
