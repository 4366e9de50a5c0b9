import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { ConvkitError } from '../util/errors.js';
import { compactBody, RESNET_WIDE } from './compact.js';
import { ConvkitSpatialTransformer, registerConvkitLayers } from './layers/index.js';
import type { ModelInput } from './types.js';

// A spatial transformer in front of a compact CNN (Jaderberg et al. 2015; with spatial transformers, Arcos-García et
// al. 2018 reach 99.71 % on GTSRB): a small localisation network predicts an affine transform of the image, which is
// resampled with it (bilinear, the native grid sampler on onednn) before the classifier sees it. The localisation
// network starts at the identity transform, so training starts from the plain classifier and learns to move away.

const apply = (layer: tfl.layers.Layer, x: SymbolicTensor | SymbolicTensor[]) => layer.apply(x) as SymbolicTensor;

/** The theta of the identity transform (x' = x, y' = y), row-major 2×3. */
export const IDENTITY_THETA = [1, 0, 0, 0, 1, 0];

/**
 * The localisation network: 2×2 max pool, Conv(32, 5×5)–Pool, Conv(64, 3×3)–Pool, Dense(64), Dense(6) = theta, the
 * last initialised to the identity (zero kernel, bias IDENTITY_THETA; the builder sets it, see gtsrbStnWide).
 */
function localisation(image: SymbolicTensor): SymbolicTensor {
  let x = apply(tfl.layers.maxPooling2d({ poolSize: 2, name: 'loc_pool0' }), image);
  x = apply(tfl.layers.conv2d({ filters: 32, kernelSize: 5, padding: 'same', activation: 'relu', name: 'loc_conv1' }), x);
  x = apply(tfl.layers.maxPooling2d({ poolSize: 2, name: 'loc_pool1' }), x);
  x = apply(tfl.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', name: 'loc_conv2' }), x);
  x = apply(tfl.layers.maxPooling2d({ poolSize: 2, name: 'loc_pool2' }), x);
  x = apply(tfl.layers.flatten({ name: 'loc_flat' }), x);
  x = apply(tfl.layers.dense({ units: 64, activation: 'relu', name: 'loc_fc' }), x);
  return apply(tfl.layers.dense({ units: 6, kernelInitializer: 'zeros', name: 'loc_theta' }), x);
}

/**
 * gtsrb-stn-wide: the localisation network, the spatial transformer (same output size as the input), then
 * gtsrb-resnet-wide's body. For 32×32×3 and 43 classes: 86,918 localisation parameters + gtsrb-resnet-wide's.
 */
export function gtsrbStnWide({ inputShape, numClasses }: ModelInput): tfl.LayersModel {
  const [h, w] = inputShape;
  if (h < 8 || w < 8) throw new ConvkitError(`model gtsrb-stn-wide: the image size ${h}×${w} is below its localisation network's 8×8`);
  registerConvkitLayers();
  const image = tfl.input({ shape: inputShape, name: 'image' });
  const warped = apply(new ConvkitSpatialTransformer({ name: 'stn' }), [image, localisation(image)]);
  const model = tfl.model({ inputs: image, outputs: compactBody(warped, numClasses, RESNET_WIDE), name: 'gtsrb_stn_wide' });
  // tfjs-layers has no initializer for a given vector: the identity bias is set once built (a topology file of this
  // model starts with a zero theta instead, which samples every pixel at the image centre).
  const theta = model.getLayer('loc_theta');
  const [kernel] = theta.getWeights();
  const identity = tf.tidy(() => [tf.zerosLike(kernel), tf.tensor1d(IDENTITY_THETA)]);
  theta.setWeights(identity);
  tf.dispose(identity);
  return model;
}
