import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { ConvkitError } from '../util/errors.js';
import { ConvkitGelu, ConvkitLayerNormalization, ConvkitMultiHeadSelfAttention, ConvkitPositionEmbedding, registerConvkitLayers } from './layers/index.js';
import type { ModelInput } from './types.js';

// A vision transformer sized for 2 CPU cores: 4×4 patches embedded by a strided convolution, learned position
// embeddings, pre-norm blocks of multi-head self-attention and a GELU MLP, mean pooling of the tokens (no class
// token), a softmax head. The layer-norm, GELU and attention layers run the native backend's fused kernels on onednn.

export interface VitOptions {
  patch: number;
  width: number;
  depth: number;
  heads: number;
  mlp: number;
  dropout: number;
}

const apply = (layer: tfl.layers.Layer, x: SymbolicTensor | SymbolicTensor[]) => layer.apply(x) as SymbolicTensor;

/** One pre-norm block: x + Dropout(MHSA(LN(x))), then x + Dropout(Dense(width)(GELU(Dense(mlp)(LN(x))))). */
function block(x: SymbolicTensor, o: VitOptions, name: string): SymbolicTensor {
  let y = apply(new ConvkitLayerNormalization({ name: `${name}_ln1` }), x);
  y = apply(new ConvkitMultiHeadSelfAttention({ heads: o.heads, name: `${name}_mhsa` }), y);
  y = apply(tfl.layers.dropout({ rate: o.dropout, name: `${name}_drop1` }), y);
  x = apply(tfl.layers.add({ name: `${name}_add1` }), [x, y]);
  y = apply(new ConvkitLayerNormalization({ name: `${name}_ln2` }), x);
  y = apply(tfl.layers.dense({ units: o.mlp, name: `${name}_mlp1` }), y);
  y = apply(new ConvkitGelu({ name: `${name}_gelu` }), y);
  y = apply(tfl.layers.dense({ units: o.width, name: `${name}_mlp2` }), y);
  y = apply(tfl.layers.dropout({ rate: o.dropout, name: `${name}_drop2` }), y);
  return apply(tfl.layers.add({ name: `${name}_add2` }), [x, y]);
}

/** A vision transformer builder: input H×W×C with H and W multiples of the patch size. */
export function visionTransformer(name: string, o: VitOptions) {
  return ({ inputShape, numClasses }: ModelInput): tfl.LayersModel => {
    const [h, w] = inputShape;
    if (h % o.patch !== 0 || w % o.patch !== 0) {
      throw new ConvkitError(`model ${name.replace(/_/g, '-')}: the image size ${h}×${w} is not a multiple of its ${o.patch}×${o.patch} patches`);
    }
    registerConvkitLayers();
    const tokens = (h / o.patch) * (w / o.patch);
    const input = tfl.input({ shape: inputShape, name: 'image' });
    let x = apply(tfl.layers.conv2d({ filters: o.width, kernelSize: o.patch, strides: o.patch, padding: 'valid', name: 'patch_embed' }), input);
    x = apply(tfl.layers.reshape({ targetShape: [tokens, o.width], name: 'patch_tokens' }), x);
    x = apply(new ConvkitPositionEmbedding({ name: 'pos_embed' }), x);
    x = apply(tfl.layers.dropout({ rate: o.dropout, name: 'pos_drop' }), x);
    for (let i = 1; i <= o.depth; i++) x = block(x, o, `b${i}`);
    x = apply(new ConvkitLayerNormalization({ name: 'ln' }), x);
    x = apply(tfl.layers.globalAveragePooling1d({ name: 'token_mean' }), x);
    const out = apply(tfl.layers.dense({ units: numClasses, activation: 'softmax', name: 'classes' }), x);
    return tfl.model({ inputs: input, outputs: out, name });
  };
}

/** 4×4 patches, width 64, 4 blocks of 4 heads and an MLP of 128, dropout 0.1: 138,890 parameters for 28×28×1 and 10 classes. */
export const vitTiny = visionTransformer('vit_tiny', { patch: 4, width: 64, depth: 4, heads: 4, mlp: 128, dropout: 0.1 });
