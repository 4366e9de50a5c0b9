/** A decoded image: 8-bit samples, row-major, channels interleaved (what the PNM reader and sharp produce). */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}
