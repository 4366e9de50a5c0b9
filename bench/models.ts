// The benchmark models (Fidle's MNIST CNN and GTSRB v1, convkit's vit-tiny):
// convkit's own builders from its model zoo. Shared by bench/run.ts and the
// profilers; bench/peers/torch_bench.py mirrors them layer for layer.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { gtsrbV1, gtsrbV3 } from '../packages/convkit/src/models/gtsrb.js';
import { mnistCnn } from '../packages/convkit/src/models/mnist.js';
import { gtsrbResnet, gtsrbVggBn } from '../packages/convkit/src/models/compact.js';
import { vitTiny } from '../packages/convkit/src/models/vit.js';

export interface ModelSpec {
  id: string;
  title: string;
  inputShape: [number, number, number];
  classes: number;
  batch: number;
  /** Batch of the one tfjs-cpu step `npm run bench` times (tfjs-cpu is 100–1000× slower). */
  cpuBatch: number;
  /** Its PyTorch twin can load this model's weights (`torch_bench.py --same-function`), so `npm run bench` checks both compute the same. */
  twinLoadsWeights?: boolean;
  build: () => tfl.LayersModel;
}

export const specs: ModelSpec[] = [
  { id: 'mnist-cnn', title: 'Fidle MNIST CNN 28×28×1, batch 512', inputShape: [28, 28, 1], classes: 10,
    batch: 512, cpuBatch: 16, build: () => mnistCnn({ inputShape: [28, 28, 1], numClasses: 10 }) },
  { id: 'gtsrb-v1-24', title: 'Fidle GTSRB v1 24×24×1, batch 64', inputShape: [24, 24, 1], classes: 43,
    batch: 64, cpuBatch: 2, build: () => gtsrbV1({ inputShape: [24, 24, 1], numClasses: 43 }) },
  { id: 'gtsrb-v1-48', title: 'Fidle GTSRB v1 48×48×3, batch 64', inputShape: [48, 48, 3], classes: 43,
    batch: 64, cpuBatch: 1, build: () => gtsrbV1({ inputShape: [48, 48, 3], numClasses: 43 }) },
  { id: 'vit-tiny', title: 'convkit vit-tiny 28×28×1 (49 tokens), batch 128', inputShape: [28, 28, 1], classes: 10,
    batch: 128, cpuBatch: 8, twinLoadsWeights: true, build: () => vitTiny({ inputShape: [28, 28, 1], numClasses: 10 }) },
  { id: 'vit-tiny-32', title: 'convkit vit-tiny 32×32×3 (64 tokens), batch 128', inputShape: [32, 32, 3], classes: 43,
    batch: 128, cpuBatch: 8, twinLoadsWeights: true, build: () => vitTiny({ inputShape: [32, 32, 3], numClasses: 43 }) },
];

/**
 * Models for bench/profile.ts and bench/profile-calls.ts only (not in `npm run bench`, which has
 * no PyTorch twin for them): convkit's own builders from its model registry.
 */
export const profileSpecs: ModelSpec[] = [
  { id: 'gtsrb-v3-32', title: 'Fidle GTSRB v3 32×32×3 (conv+BatchNorm), batch 64', inputShape: [32, 32, 3],
    classes: 43, batch: 64, cpuBatch: 1, build: () => gtsrbV3({ inputShape: [32, 32, 3], numClasses: 43 }) },
  { id: 'gtsrb-resnet-32', title: 'convkit gtsrb-resnet 32×32×3 (BN, residual, GAP), batch 64', inputShape: [32, 32, 3],
    classes: 43, batch: 64, cpuBatch: 1, build: () => gtsrbResnet({ inputShape: [32, 32, 3], numClasses: 43 }) },
  { id: 'gtsrb-vgg-bn-32', title: 'convkit gtsrb-vgg-bn 32×32×3 (BN, GAP), batch 64', inputShape: [32, 32, 3],
    classes: 43, batch: 64, cpuBatch: 1, build: () => gtsrbVggBn({ inputShape: [32, 32, 3], numClasses: 43 }) },
];

/** Forward multiply-adds ×2 of the conv, dense and attention layers (projections and both matmuls) for one image. */
export function forwardFlops(model: tfl.LayersModel): number {
  let flops = 0;
  for (const layer of model.layers) {
    const out = layer.outputShape as number[];
    const cls = layer.getClassName();
    if (cls === 'Conv2D') {
      const [kh, kw, ci, co] = (layer.getWeights()[0].shape) as number[];
      flops += 2 * out[1] * out[2] * co * kh * kw * ci;
    } else if (cls === 'Dense') {
      // A Dense layer on [T, C] tokens applies its kernel once per token.
      const [ci, co] = layer.getWeights()[0].shape as number[];
      flops += 2 * ci * co * out.slice(1, -1).reduce((a, b) => a * b, 1);
    } else if (cls === 'ConvkitMultiHeadSelfAttention') {
      const [, t, d] = out;
      flops += 4 * 2 * t * d * d + 2 * 2 * t * t * d; // q, k, v, output projections; q·kᵀ and weights·v
    }
  }
  return flops;
}

/** Synthetic labelled batch (uniform pixels, random one-hot labels). */
export function syntheticBatch(spec: { inputShape: [number, number, number]; classes: number }, n: number, seed = 1):
  { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const x = tf.randomUniform([n, ...spec.inputShape], 0, 1, 'float32', seed) as tf.Tensor4D;
    const labels = tf.randomUniform([n], 0, spec.classes, 'int32', seed + 1);
    const y = tf.cast(tf.oneHot(labels as tf.Tensor1D, spec.classes), 'float32') as tf.Tensor2D;
    return { x, y };
  });
}
