import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { nativeKernel, runNative, type LayerArgs } from './native.js';

// The spatial transformer (Jaderberg et al. 2015) as PyTorch writes it: affine_grid(theta) then grid_sample(image, grid)
// with bilinear sampling, zeros padding and align_corners = false, differentiable with respect to the image and theta.

export interface SpatialTransformerArgs extends LayerArgs {
  /** [height, width] of the resampled image (default: the input image's). */
  outputSize?: [number, number];
}

/** Bilinear sampling of x `[B, H, W, C]` at grid `[B, Ho, Wo, 2]` (PyTorch's grid_sample); the kernel of the native path. */
export const GRID_SAMPLE_KERNEL = 'OneDnnGridSample';

/**
 * Resamples an image `[B, H, W, C]` through the affine transform `theta` `[B, 6]` (row-major 2×3, as PyTorch's theta
 * `[B, 2, 3]`, e.g. the last Dense(6) of a localisation network) → `[B, Ho, Wo, C]`. Output pixel centre (x, y) in
 * normalised coordinates (−1 … 1 across the image's edges) reads the input at theta · (x, y, 1), bilinearly, 0
 * outside. No weights: the localisation network is ordinary layers in front of it.
 */
export class ConvkitSpatialTransformer extends tfl.layers.Layer {
  static className = 'ConvkitSpatialTransformer';
  readonly outputSize?: [number, number];

  constructor(args: SpatialTransformerArgs = {}) {
    super(args);
    const size = args.outputSize;
    if (size !== undefined && (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && v > 0))) {
      throw new RangeError(`ConvkitSpatialTransformer: outputSize must be [height, width] of positive integers (got ${JSON.stringify(size)})`);
    }
    this.outputSize = size;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [image, theta] = this.shapes(inputShape);
    if (image.length !== 4) throw new Error(`${this.name}: input 0 must be an image [batch, H, W, C] (got [${image.join(', ')}])`);
    if (theta.length !== 2 || theta[1] !== 6) throw new Error(`${this.name}: input 1 must be theta [batch, 6] (got [${theta.join(', ')}])`);
    const [h, w] = this.outputSize ?? [image[1], image[2]];
    return [image[0], h, w, image[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 2) throw new Error(`${this.name}: expects two inputs [image, theta]`);
      const [image, theta] = inputs;
      const [, ih, iw] = image.shape as number[];
      const [h, w] = this.outputSize ?? [ih, iw];
      return gridSample(image, affineGrid(theta, h, w));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...(this.outputSize ? { outputSize: [...this.outputSize] } : {}) };
  }

  private shapes(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape[] {
    if (!Array.isArray(inputShape[0]) || inputShape.length !== 2) throw new Error(`${this.name}: expects two inputs [image, theta]`);
    return inputShape as tfl.Shape[];
  }
}

/**
 * PyTorch's affine_grid with align_corners = false: theta `[B, 2, 3]` (or `[B, 6]`) → grid `[B, h, w, 2]` of
 * theta · (x_j, y_i, 1), x_j = (2j + 1)/w − 1, y_i = (2i + 1)/h − 1. One matrix product with a constant [6, 2hw]
 * (native on onednn, with its gradient).
 */
export function affineGrid(theta: tf.Tensor, h: number, w: number): tf.Tensor {
  return tf.tidy(() => {
    const b = theta.shape[0];
    const basis = new Float32Array(6 * 2 * h * w); // row r of theta's 6 × column (pixel p, coordinate c)
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const p = i * w + j, xy1 = [(2 * j + 1) / w - 1, (2 * i + 1) / h - 1, 1];
        for (let k = 0; k < 3; k++) {
          basis[k * 2 * h * w + 2 * p] = xy1[k]; // x' = θ0 x + θ1 y + θ2
          basis[(3 + k) * 2 * h * w + 2 * p + 1] = xy1[k]; // y' = θ3 x + θ4 y + θ5
        }
      }
    }
    return tf.reshape(tf.matMul(tf.reshape(theta, [b, 6]), tf.tensor2d(basis, [6, 2 * h * w])), [b, h, w, 2]);
  });
}

/** PyTorch's grid_sample (bilinear, zeros padding, align_corners = false): the native kernel on onednn, tfjs ops elsewhere. */
export function gridSample(x: tf.Tensor, grid: tf.Tensor): tf.Tensor {
  if (nativeKernel(GRID_SAMPLE_KERNEL)) return runNative<tf.Tensor>(GRID_SAMPLE_KERNEL, { x, grid });
  // Separable: per point, a row over the image's columns holding 1 − tx at x0 = ⌊ix⌋ and tx at x0 + 1 (one-hot rows,
  // so a neighbour outside the image has no entry: it reads 0), the same over its rows; out = Σ_i row_i Σ_j col_j x[i, j].
  // (A gather would need int32 indices on the gradient's path, which tfjs's autodiff refuses.) One difference from the
  // kernel: a NaN pixel spreads to every point whose rows or columns cross it (0 · NaN in the matmul), not only to the
  // points that read it.
  const [b, h, w, c] = x.shape as number[];
  const [, gh, gw] = grid.shape as number[];
  const points = gh * gw;
  const [gx, gy] = tf.unstack(tf.reshape(grid, [b, points, 2]), 2);
  const weights = (g: tf.Tensor, n: number) => {
    const at = tf.div(tf.sub(tf.mul(tf.add(g, 1), n), 1), 2);
    const first = tf.floor(at), t = tf.expandDims(tf.sub(at, first), -1);
    const hot = (v: tf.Tensor) => tf.slice(tf.oneHot(tf.cast(v, 'int32'), Math.max(n, 2)), [0, 0, 0], [-1, -1, n]); // oneHot wants depth ≥ 2
    return tf.add(tf.mul(hot(first), tf.sub(1, t)), tf.mul(hot(tf.add(first, 1)), t)); // [B, points, n]
  };
  const cols = tf.matMul(weights(gx, w), tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b, w, h * c])); // [B, points, H·C]
  const out = tf.sum(tf.mul(tf.reshape(cols, [b, points, h, c]), tf.expandDims(weights(gy, h), -1)), 2);
  return tf.reshape(out, [b, gh, gw, c]);
}
