import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import type { ModelInput } from './types.js';

// Compact modern CNNs for small images (GTSRB 32×32) on 2 CPU cores: 3×3 convolutions without bias followed by batch
// normalisation and ReLU, max-pool downsampling (the native backend's fused ReLU/pool path), global average pooling
// instead of a large dense layer. Each stage doubles the width and halves the resolution.

// Conv with its ReLU, then batch norm (Fidle v3's order): the conv+bias+ReLU is one native node whose gradient is the
// native ReLU-gradient pass; a separate ReLU layer after the batch norm costs a Step and a Multiply pass per layer
// in the backward (profiled: about a third of the step).
function convBn(x: SymbolicTensor, filters: number, name: string): SymbolicTensor {
  const y = tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: 'heNormal', name: `${name}_conv` }).apply(x) as SymbolicTensor;
  return tfl.layers.batchNormalization({ axis: -1, momentum: 0.9, name: `${name}_bn` }).apply(y) as SymbolicTensor;
}

/** Residual block: two conv-ReLU-BN and an identity shortcut added after them. */
function residual(x: SymbolicTensor, filters: number, name: string): SymbolicTensor {
  const y = convBn(convBn(x, filters, `${name}a`), filters, `${name}b`);
  return tfl.layers.add({ name: `${name}_add` }).apply([x, y]) as SymbolicTensor;
}

// Global average pooling as one average pool over the whole map: the same numbers as globalAveragePooling2d, but its
// gradient is the native AvgPoolGrad, where GlobalAveragePooling2D's (a [N,1,1,C] × [N,H,W,C] broadcast Multiply)
// falls back to tfjs-cpu and took a third of a training step (64.7 of 202.6 CPU ms, bench/profile-calls.ts).
function head(x: SymbolicTensor, numClasses: number, dropout: number): SymbolicTensor {
  const [, h, w] = x.shape as number[];
  let y = tfl.layers.averagePooling2d({ poolSize: [h, w], name: 'gap' }).apply(x) as SymbolicTensor;
  y = tfl.layers.flatten({ name: 'gap_flat' }).apply(y) as SymbolicTensor;
  if (dropout > 0) y = tfl.layers.dropout({ rate: dropout, name: 'drop' }).apply(y) as SymbolicTensor;
  return tfl.layers.dense({ units: numClasses, activation: 'softmax', name: 'classes' }).apply(y) as SymbolicTensor;
}

export interface CompactOptions {
  widths: number[];
  /** Residual blocks after each stage's first conv (0 = plain VGG-style stage of one conv). */
  blocks: number[];
  dropout: number;
}

/**
 * Stage i: conv-BN-ReLU to widths[i], `blocks` residual blocks, then 2×2 max pool (not after the last stage);
 * global average pooling, dropout, softmax.
 */
export function compactCnn(name: string, o: CompactOptions) {
  return ({ inputShape, numClasses }: ModelInput): tfl.LayersModel => {
    const input = tfl.input({ shape: inputShape, name: 'image' });
    return tfl.model({ inputs: input, outputs: compactBody(input, numClasses, o), name });
  };
}

/** compactCnn's layers applied to the image `x` (a symbolic [batch, H, W, C]): the class probabilities. */
export function compactBody(x: SymbolicTensor, numClasses: number, o: CompactOptions): SymbolicTensor {
  o.widths.forEach((w, i) => {
    x = convBn(x, w, `s${i + 1}`);
    for (let b = 0; b < (o.blocks[i] ?? 0); b++) x = residual(x, w, `s${i + 1}r${b + 1}`);
    if (i < o.widths.length - 1) x = tfl.layers.maxPooling2d({ poolSize: 2, name: `s${i + 1}_pool` }).apply(x) as SymbolicTensor;
  });
  return head(x, numClasses, o.dropout);
}

/** 0.45 M parameters, ~48 M multiply-adds per 32×32 image: no residual block at full resolution, where it costs most. */
export const gtsrbResnet = compactCnn('gtsrb_resnet', { widths: [32, 64, 128], blocks: [0, 1, 1], dropout: 0.2 });
/** gtsrb-resnet-wide's stages (also the body of gtsrb-stn-wide). */
export const RESNET_WIDE: CompactOptions = { widths: [48, 96, 192], blocks: [0, 1, 1], dropout: 0.3 };
/**
 * gtsrb-resnet at 1.5× the width (48, 96, 192) and dropout 0.3: 1.05 M parameters, ~107 M multiply-adds per 32×32
 * image; the GTSRB recipe's model.
 */
export const gtsrbResnetWide = compactCnn('gtsrb_resnet_wide', RESNET_WIDE);
/** VGG-style, no shortcut: one conv-ReLU-BN per stage at widths 32, 64, 128, 256 (0.4 M parameters, ~12 M multiply-adds per 32×32 image). */
export const gtsrbVggBn = compactCnn('gtsrb_vgg_bn', { widths: [32, 64, 128, 256], blocks: [0, 0, 0, 0], dropout: 0.2 });

