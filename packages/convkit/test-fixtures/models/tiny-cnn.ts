// A user model as a builder module: convkit passes the data's shapes and its own tfjs-layers as `tfl`.
import type { UserModelInput } from '../../src/models/user-model.js';

export const description = 'Conv(4)–Pool–Dense(classes): a tiny user CNN for the tests';

export default function build({ inputShape, numClasses, tfl }: UserModelInput) {
  const m = tfl.sequential({ name: 'tiny_cnn' });
  m.add(tfl.layers.conv2d({ inputShape, filters: 4, kernelSize: 3, activation: 'relu' }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: numClasses, activation: 'softmax' }));
  return m;
}
