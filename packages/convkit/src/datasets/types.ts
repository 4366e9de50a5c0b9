/** One split of an image dataset held in memory, NHWC. */
export interface ImageSplit {
  /** Pixels, NHWC: uint8 (0–255) or float32 (already in [0, 1]). */
  x: Uint8Array | Float32Array;
  /** Integer class ids. */
  y: Int32Array;
  count: number;
  /** Which physical object each image shows (GTSRB: the track), -1 when unknown; absent for datasets without tracks. */
  tracks?: Int32Array;
}

/** A whole dataset as the trainer sees it: train, test and (optionally) meta images of one shape. */
export interface ImageDataset {
  /** Short name, e.g. `mnist:embedded`, `fashion-mnist`, `set-24x24-L.h5`. */
  name: string;
  /** Where it came from (directory, file, package). */
  source: string;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  classNames?: string[];
  train: ImageSplit;
  test: ImageSplit;
  meta?: ImageSplit;
  /** How the images were prepared (e.g. the colour mode of a `convkit prepare` set), so inference can do the same. */
  preparation?: { mode?: string };
}

export function pixelsPerImage(d: Pick<ImageDataset, 'height' | 'width' | 'channels'>): number {
  return d.height * d.width * d.channels;
}

/** Copies the images at `indices` into a new split. */
export function selectSplit(split: ImageSplit, indices: ArrayLike<number>, pixels: number): ImageSplit {
  const x = split.x instanceof Uint8Array ? new Uint8Array(indices.length * pixels) : new Float32Array(indices.length * pixels);
  const y = new Int32Array(indices.length);
  const tracks = split.tracks ? new Int32Array(indices.length) : undefined;
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    x.set(split.x.subarray(j * pixels, (j + 1) * pixels), i * pixels);
    y[i] = split.y[j];
    if (tracks) tracks[i] = split.tracks![j];
  }
  return tracks ? { x, y, count: indices.length, tracks } : { x, y, count: indices.length };
}

/** Largest class id in some label arrays, -1 if all are empty (a loop: spreading 100k+ labels into Math.max overflows the stack). */
export function maxLabel(...labelSets: ArrayLike<number>[]): number {
  let max = -1;
  for (const labels of labelSets) for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return max;
}
