// A user model as a builder module that takes convkit's transformer layers from its public API, as a user's file would.
import { ConvkitGelu, ConvkitLayerNormalization, ConvkitMultiHeadSelfAttention, ConvkitPositionEmbedding } from 'convkit';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import type { UserModelInput } from '../../src/models/user-model.js';

export const description = 'one pre-norm transformer block over 7×7 patches: a tiny user vision transformer for the tests';

export default function build({ inputShape, numClasses, tfl }: UserModelInput) {
  const [h, w] = inputShape;
  const input = tfl.input({ shape: inputShape });
  const on = (layer: { apply(x: SymbolicTensor | SymbolicTensor[]): unknown }, x: SymbolicTensor | SymbolicTensor[]) => layer.apply(x) as SymbolicTensor;
  let x = on(tfl.layers.conv2d({ filters: 16, kernelSize: 7, strides: 7 }), input);
  x = on(tfl.layers.reshape({ targetShape: [(h / 7) * (w / 7), 16] }), x);
  x = on(new ConvkitPositionEmbedding(), x);
  x = on(tfl.layers.add(), [x, on(new ConvkitMultiHeadSelfAttention({ heads: 2 }), on(new ConvkitLayerNormalization(), x))]);
  x = on(tfl.layers.add(), [x, on(tfl.layers.dense({ units: 16 }), on(new ConvkitGelu(), on(tfl.layers.dense({ units: 32 }), on(new ConvkitLayerNormalization(), x))))]);
  x = on(tfl.layers.globalAveragePooling1d(), x);
  return tfl.model({ inputs: input, outputs: on(tfl.layers.dense({ units: numClasses, activation: 'softmax' }), x) });
}
