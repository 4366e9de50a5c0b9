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
  const fine = new Int32Array(256);
  const coarse = new Int32Array(16);
  for (let y = 0; y < height; y++) {
    fine.fill(0);
    coarse.fill(0);
    let pop = 0;
    const y0 = Math.max(0, y - radius);
    const y1 = Math.min(height - 1, y + radius);
    // window at x = 0
    for (let yy = y0; yy <= y1; yy++) {
      const h = hw[yy - y + radius];
      const row = yy * width;
      const xe = Math.min(width - 1, h);
      for (let xx = 0; xx <= xe; xx++) {
        const v = gray[row + xx];
        fine[v]++;
        coarse[v >> 4]++;
        pop++;
      }
    }
    for (let x = 0; ; ) {
      const g = gray[y * width + x];
      let sum = 0;
      const cg = g >> 4;
      for (let c = 0; c < cg; c++) sum += coarse[c];
      for (let v = cg << 4; v <= g; v++) sum += fine[v];
      out[y * width + x] = Math.floor((255 * sum) / pop);
      if (++x >= width) break;
      // slide right: drop column x-1-h, add column x+h of each disk row
      for (let yy = y0; yy <= y1; yy++) {
        const h = hw[yy - y + radius];
        const row = yy * width;
        const xo = x - 1 - h;
        if (xo >= 0) {
          const v = gray[row + xo];
          fine[v]--;
          coarse[v >> 4]--;
          pop--;
        }
        const xi = x + h;
        if (xi < width) {
          const v = gray[row + xi];
          fine[v]++;
          coarse[v >> 4]++;
          pop++;
        }
      }
    }
  }
  return out;
}
