import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelInput } from './types.js';

/** Fidle's dense network for MNIST: two hidden layers of 100. */
export function mnistDnn({ inputShape, numClasses }: ModelInput): tfl.LayersModel {
  const m = tfl.sequential({ name: 'mnist_dnn' });
  m.add(tfl.layers.flatten({ inputShape }));
  m.add(tfl.layers.dense({ units: 100, activation: 'relu' }));
  m.add(tfl.layers.dense({ units: 100, activation: 'relu' }));
  m.add(tfl.layers.dense({ units: numClasses, activation: 'softmax' }));
  return m;
}

/** Fidle's small CNN for MNIST: two 3×3 conv blocks with pooling and dropout, then Dense(100). */
export function mnistCnn({ inputShape, numClasses }: ModelInput): tfl.LayersModel {
  const m = tfl.sequential({ name: 'mnist_cnn' });
  m.add(tfl.layers.conv2d({ inputShape, filters: 8, kernelSize: 3, activation: 'relu' }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.dropout({ rate: 0.2 }));
  m.add(tfl.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.dropout({ rate: 0.2 }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 100, activation: 'relu' }));
  m.add(tfl.layers.dropout({ rate: 0.5 }));
  m.add(tfl.layers.dense({ units: numClasses, activation: 'softmax' }));
  return m;
}
