/** A decoded image: 8-bit samples, row-major, channels interleaved (what the PNM reader and sharp produce). */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** Grey → RGB by copying, RGBA → RGB over white (Kaggle's Meta pictograms are transparent around the sign). */
export function toRgb(img: RawImage): RawImage {
  if (img.channels === 3) return img;
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      if (img.channels === 1) out[i * 3 + c] = img.data[i];
      else {
        const a = img.data[i * 4 + 3] / 255;
        out[i * 3 + c] = Math.round(img.data[i * 4 + c] * a + 255 * (1 - a));
      }
    }
  }
  return { data: out, width: img.width, height: img.height, channels: 3 };
}
