// Hand-written: global histogram equalisation exactly as skimage's `exposure.equalize_hist` on a float image
// (numpy's 256-bin histogram over [min, max], cumulative distribution, linear interpolation at bin centres);
// no JS library does it, and matching skimage keeps prepared sets comparable with the course's.

/** skimage `exposure.equalize_hist(values, nbins)` for a float image; returns float64 in [0, 1]. */
export function equalizeHist(values: ArrayLike<number>, nbins = 256): Float64Array {
  const n = values.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  // numpy.linspace edges and numpy.histogram's index computation with its ±1 ULP corrections
  const edges = new Float64Array(nbins + 1);
  const step = (hi - lo) / nbins;
  for (let i = 0; i < nbins; i++) edges[i] = i * step + lo;
  edges[nbins] = hi;
  const norm = nbins / (hi - lo);
  const hist = new Float64Array(nbins);
  const bin = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let k = Math.trunc((v - lo) * norm);
    if (k === nbins) k--;
    if (v < edges[k]) k--;
    if (k !== nbins - 1 && v >= edges[k + 1]) k++;
    hist[k]++;
    bin[i] = k;
  }
  const centers = new Float64Array(nbins);
  for (let i = 0; i < nbins; i++) centers[i] = (edges[i] + edges[i + 1]) / 2;
  const cdf = new Float64Array(nbins);
  let acc = 0;
  for (let i = 0; i < nbins; i++) cdf[i] = acc += hist[i];
  for (let i = 0; i < nbins; i++) cdf[i] /= acc;
  // numpy.interp(values, centers, cdf): a value in bin k lies between centres k-1 and k+1, so its
  // interval is known without numpy's binary search
  const out = new Float64Array(n);
  const last = nbins - 1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const k = bin[i];
    const a = v >= centers[k] ? k : k - 1;
    if (a < 0) out[i] = cdf[0];
    else if (a >= last) out[i] = cdf[last];
    else if (v === centers[a]) out[i] = cdf[a];
    else out[i] = ((cdf[a + 1] - cdf[a]) / (centers[a + 1] - centers[a])) * (v - centers[a]) + cdf[a];
  }
  return out;
}

/**
 * RGB-HE on an RGB float image in [0, 1]: equalise V of HSV and convert back (skimage: rgb2hsv, equalize_hist on V, hsv2rgb).
 * HSV→RGB is homogeneous in V, so each pixel is its RGB scaled by V'/V (a black pixel becomes grey V').
 */
export function equalizeRgbValue(rgb: ArrayLike<number>, pixels: number): Float32Array {
  const v = new Float64Array(pixels);
  for (let i = 0, j = 0; i < pixels; i++, j += 3) v[i] = Math.max(rgb[j], rgb[j + 1], rgb[j + 2]);
  const eq = equalizeHist(v);
  const out = new Float32Array(pixels * 3);
  for (let i = 0, j = 0; i < pixels; i++, j += 3) {
    if (v[i] === 0) {
      out[j] = out[j + 1] = out[j + 2] = eq[i];
    } else {
      const s = eq[i] / v[i];
      out[j] = rgb[j] * s;
      out[j + 1] = rgb[j + 1] * s;
      out[j + 2] = rgb[j + 2] * s;
    }
  }
  return out;
}
