import * as tf from '@tensorflow/tfjs-core';
import { ConvkitMultiHeadSelfAttention } from './attention.js';
import { ConvkitGelu } from './gelu.js';
import { ConvkitLayerNormalization } from './layer-norm.js';
import { ConvkitPositionEmbedding } from './position-embedding.js';
import { ConvkitSpatialTransformer } from './spatial-transformer.js';

// convkit's own tfjs-layers layers (the vision transformer's and the spatial transformer's): each computes its function
// with the native backend's fused kernel when tfjs runs on onednn and with tfjs ops elsewhere, and serialises under its
// class name.
// Hand-written: tfjs-layers has no attention, position embedding or spatial transformer, and its own layers cannot call
// a backend's kernel.

export { ConvkitMultiHeadSelfAttention, type MultiHeadSelfAttentionArgs } from './attention.js';
export { ConvkitGelu } from './gelu.js';
export { ConvkitLayerNormalization, type LayerNormArgs } from './layer-norm.js';
export { ConvkitPositionEmbedding, type PositionEmbeddingArgs } from './position-embedding.js';
export { ConvkitSpatialTransformer, type SpatialTransformerArgs } from './spatial-transformer.js';

/** The layer classes, in the order `registerConvkitLayers` registers them. */
export const CONVKIT_LAYERS = [ConvkitLayerNormalization, ConvkitGelu, ConvkitMultiHeadSelfAttention, ConvkitPositionEmbedding, ConvkitSpatialTransformer] as const;

/**
 * Registers convkit's layer classes with tfjs's serialization, so that a model.json naming them loads (idempotent).
 * Called wherever models are built or loaded (models/index.ts, models/io.ts, model files, the browser's try-it panel);
 * importing this module registers nothing.
 */
export function registerConvkitLayers(): void {
  for (const cls of CONVKIT_LAYERS) tf.serialization.registerClass(cls);
}
