import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelInput } from './types.js';

// The course's three GTSRB networks (Fidle's get_model_v1, v3 and v4 in that order). Input shape comes
// from the data (24×24×1, 48×48×3, …); batch 64 as published.

/** Conv(96)–Pool–Conv(192)–Pool, Dense(1500). */
export function gtsrbV1({ inputShape, numClasses }: ModelInput): tfl.LayersModel {
  const m = tfl.sequential({ name: 'gtsrb_v1' });
  m.add(tfl.layers.conv2d({ inputShape, filters: 96, kernelSize: 3, activation: 'relu' }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.dropout({ rate: 0.2 }));
  m.add(tfl.layers.conv2d({ filters: 192, kernelSize: 3, activation: 'relu' }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.dropout({ rate: 0.2 }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 1500, activation: 'relu' }));
  m.add(tfl.layers.dropout({ rate: 0.5 }));
  m.add(tfl.layers.dense({ units: numClasses, activation: 'softmax' }));
  return m;
}

/** Three VGG-like pairs of 3×3 convolutions (64, 128, 256), each pair pooled, then Dense(512). */
export function gtsrbV2({ inputShape, numClasses }: ModelInput): tfl.LayersModel {
  const m = tfl.sequential({ name: 'gtsrb_v2' });
  for (const [i, filters] of [64, 128, 256].entries()) {
    m.add(tfl.layers.conv2d({ ...(i === 0 ? { inputShape } : {}), filters, kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.add(tfl.layers.conv2d({ filters, kernelSize: 3, activation: 'relu' }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.dropout({ rate: 0.2 }));
  }
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 512, activation: 'relu' }));
  m.add(tfl.layers.dropout({ rate: 0.5 }));
  m.add(tfl.layers.dense({ units: numClasses, activation: 'softmax' }));
  return m;
}

/** 5×5 convolutions (32; 64, 128) each followed by batch normalisation after its ReLU, as in Fidle, then Dense(512)+BN. */
export function gtsrbV3({ inputShape, numClasses }: ModelInput): tfl.LayersModel {
  const m = tfl.sequential({ name: 'gtsrb_v3' });
  m.add(tfl.layers.conv2d({ inputShape, filters: 32, kernelSize: 5, padding: 'same', activation: 'relu' }));
  m.add(tfl.layers.batchNormalization({ axis: -1 }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.dropout({ rate: 0.2 }));
  m.add(tfl.layers.conv2d({ filters: 64, kernelSize: 5, padding: 'same', activation: 'relu' }));
  m.add(tfl.layers.batchNormalization({ axis: -1 }));
  m.add(tfl.layers.conv2d({ filters: 128, kernelSize: 5, padding: 'same', activation: 'relu' }));
  m.add(tfl.layers.batchNormalization({ axis: -1 }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.dropout({ rate: 0.2 }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 512, activation: 'relu' }));
  m.add(tfl.layers.batchNormalization());
  m.add(tfl.layers.dropout({ rate: 0.4 }));
  m.add(tfl.layers.dense({ units: numClasses, activation: 'softmax' }));
  return m;
}
