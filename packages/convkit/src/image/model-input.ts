// How a photo or a drawing becomes a model's input: `convkit predict` (sharp resizes, in Node) and the dashboard's
// try-it panel (in the page, `toSizeJs` of to-size-js.ts doing sharp's part) both go through `modelInput`, so the
// decision (the run's preparation mode, or plain channels and size) and the prepared modes' arithmetic are one code.
import { applyMode, PREPARE_MODES, type PrepareMode } from './modes.js';
import { toRgb, type RawImage } from './raw-image.js';
import { resizeImage } from './resize.js';

/** Converts an image to `channels` and height×width, uint8 NHWC (sharp in Node, its re-implementation in the page). */
export type ToSize = (img: RawImage, height: number, width: number, channels: 1 | 3) => Uint8Array | Promise<Uint8Array>;

/** Dark on light ↔ light on dark (a photo of a written digit against MNIST's white on black); alpha is kept. */
export function invertImage(img: RawImage): RawImage {
  return { ...img, data: img.data.map((v, i) => (img.channels === 4 && i % 4 === 3 ? v : 255 - v)) };
}

/** The `convkit prepare` colour mode a run's data was made with, if any. */
export function preparedMode(preparation: { mode?: string } | undefined): PrepareMode | undefined {
  const mode = preparation?.mode;
  return mode !== undefined && (PREPARE_MODES as readonly string[]).includes(mode) ? (mode as PrepareMode) : undefined;
}

/**
 * An image as the model's training data was made: through the same resize and colour mode for a model trained on
 * a `convkit prepare` set, else converted to the model's channels and size by `toSize`; float32 in [0, 1], NHWC.
 */
export async function modelInput(img: RawImage, preparation: { mode?: string } | undefined, h: number, w: number, c: number, toSize: ToSize, invert = false): Promise<Float32Array> {
  if (invert) img = invertImage(img);
  const mode = preparedMode(preparation);
  if (mode !== undefined) return applyMode(mode, resizeImage(toRgb(img), h, w), h, w);
  const bytes = await toSize(img, h, w, c === 1 ? 1 : 3);
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / 255;
  return out;
}
