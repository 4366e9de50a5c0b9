import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ImageSplit } from '../datasets/types.js';
import { makeBatch, type BatchShape } from '../train/batches.js';
import type { FeatureMapLayer } from './analysis-types.js';
import { pngDataUri } from './images.js';

/** Layers whose output is an image-shaped stack of maps worth looking at. */
const MAP_LAYERS = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'MaxPooling2D', 'AveragePooling2D']);

export interface FeatureMapOptions {
  /** Channels drawn per layer (the first ones). */
  maxChannels?: number;
  /** Tiles per row. */
  cols?: number;
}

// Hand-written: tiling channels into one grid per layer is a short loop; sharp encodes the PNG.
const GAP = 1;
const GAP_VALUE = 48;

/**
 * The outputs of every conv / activation / pool layer for the test images at `indices`, each layer's channels tiled
 * in one greyscale PNG, every channel scaled to its own min–max (a flat channel is drawn black).
 */
export async function featureMaps(model: tfl.LayersModel, split: ImageSplit, indices: number[], shape: BatchShape, opts: FeatureMapOptions = {}): Promise<FeatureMapLayer[][]> {
  const mapLayers = model.layers.filter((l) => MAP_LAYERS.has(l.getClassName()) && (l.outputShape as number[]).length === 4);
  if (!mapLayers.length || !indices.length) return indices.map(() => []);
  // A convolution with its activation built in is shown twice, before and after it (the course's conv → ReLU → pool):
  // a linear twin of the layer, sharing its weights, applied to the same input.
  const stages: { name: string; className: string; activation?: string; output: tfl.SymbolicTensor }[] = [];
  const twins: tfl.layers.Layer[] = [];
  for (const l of mapLayers) {
    const cfg = l.getConfig() as { activation?: string };
    const act = typeof cfg.activation === 'string' ? cfg.activation : undefined;
    if (l.getClassName() === 'Conv2D' && act && act !== 'linear') {
      const twin = tfl.layers.conv2d({ ...(cfg as object), activation: 'linear', name: `${l.name}_linear`, trainable: false } as Parameters<typeof tfl.layers.conv2d>[0]);
      const output = twin.apply(l.input as tfl.SymbolicTensor) as tfl.SymbolicTensor;
      twin.setWeights(l.getWeights());
      twins.push(twin);
      stages.push({ name: l.name, className: l.getClassName(), activation: 'linear', output });
    }
    stages.push({ name: l.name, className: l.getClassName(), activation: act, output: l.output as tfl.SymbolicTensor });
  }
  const layers = stages.map((s) => ({ name: s.name, getClassName: () => s.className, activation: s.activation }));
  const probe = tfl.model({ inputs: model.inputs, outputs: stages.map((s) => s.output) });
  const x = Int32Array.from(indices);
  const { xs, ys } = makeBatch(split, x, 0, indices.length, shape);
  const out = probe.predict(xs);
  const outs = Array.isArray(out) ? out : [out];
  const result: FeatureMapLayer[][] = indices.map(() => []);
  try {
    for (let li = 0; li < layers.length; li++) {
      const [n, h, w, c] = outs[li].shape;
      const data = (await outs[li].data()) as Float32Array;
      const shown = Math.min(c, opts.maxChannels ?? 48);
      const cols = Math.min(shown, opts.cols ?? (shown % 8 === 0 ? 8 : Math.max(4, Math.ceil(Math.sqrt(shown * 1.6)))));
      const rows = Math.ceil(shown / cols);
      const W = cols * (w + GAP) - GAP;
      const H = rows * (h + GAP) - GAP;
      for (let s = 0; s < n; s++) {
        const grid = new Uint8Array(W * H).fill(GAP_VALUE);
        const base = s * h * w * c;
        for (let ch = 0; ch < shown; ch++) {
          let lo = Infinity;
          let hi = -Infinity;
          for (let p = 0; p < h * w; p++) {
            const v = data[base + p * c + ch];
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
          const k = hi > lo ? 255 / (hi - lo) : 0;
          const ox = (ch % cols) * (w + GAP);
          const oy = Math.floor(ch / cols) * (h + GAP);
          for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) grid[(oy + y) * W + ox + xx] = Math.round((data[base + (y * w + xx) * c + ch] - lo) * k);
        }
        result[s].push({ name: layers[li].name, className: layers[li].getClassName(), ...(layers[li].activation ? { activation: layers[li].activation } : {}), height: h, width: w, channels: c, shown, cols, rows, gap: GAP, image: await pngDataUri(grid, W, H, 1) });
      }
    }
  } finally {
    tf.dispose([xs, ys, ...outs]);
    for (const t of twins) t.dispose(); // their weight copies; the model's own are disposed by its owner
  }
  return result;
}
