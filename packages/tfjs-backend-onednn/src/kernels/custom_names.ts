// Names of the kernels that exist only on the onednn backend (used by the
// training-time ops in patches/ and their gradients).
export const OneDnnFusedConv2D = 'OneDnnFusedConv2D';
export const OneDnnReluGrad = 'OneDnnReluGrad';
export const OneDnnConv2DBackpropFilterBias = 'OneDnnConv2DBackpropFilterBias';
/** Training-time fused matmul (+ bias + relu/linear) with its own gradient. */
export const OneDnnFusedMatMul = 'OneDnnFusedMatMul';
/** Max pool that also returns oneDNN's argmax workspace: outputs [y, workspace]. */
export const OneDnnMaxPoolTraining = 'OneDnnMaxPoolTraining';
/** Max pool gradient from that workspace: inputs {dy, workspace}. */
export const OneDnnMaxPoolGradWs = 'OneDnnMaxPoolGradWs';
/**
 * FusedBatchNorm's parameter gradients for per-channel parameters: inputs {x, dy, mean,
 * variance, scale?}, outputs [dMean, dVariance, dScale, dOffset, k] (each [C];
 * k = scale / sqrt(variance + eps), so dx = dy * k).
 */
export const OneDnnFusedBatchNormGrad = 'OneDnnFusedBatchNormGrad';
/** tf.moments over every axis but the last: input {x}, outputs [mean, variance]. */
export const OneDnnMoments = 'OneDnnMoments';
/** Its gradient: inputs {x, mean, dMean, dVariance[, dy, k]}, output dx (+ dy * k if given). */
export const OneDnnMomentsGrad = 'OneDnnMomentsGrad';
/**
 * Training-time batch norm whose mean and variance are the moments of x over every axis but
 * the last (patches/batch_norm.ts): inputs {x, mean, variance, scale, offset} (all [C]), output y.
 * Its gradient differentiates through the statistics as well.
 */
export const OneDnnBatchNormTraining = 'OneDnnBatchNormTraining';

/**
 * Layer normalisation over the last axis: inputs {x, gamma, beta} (x float32 of rank >= 2, gamma
 * and beta [C]), attrs {epsilon}, output y (x's shape). Called by name from model code.
 */
export const OneDnnLayerNorm = 'OneDnnLayerNorm';
/** Its gradient: inputs {x, gamma, dy}, attrs {epsilon}, outputs [dx, dgamma, dbeta]. */
export const OneDnnLayerNormGrad = 'OneDnnLayerNormGrad';
/** GELU, exact erf form: input {x}, output y. Called by name from model code. */
export const OneDnnGelu = 'OneDnnGelu';
/** Its gradient: inputs {x, dy}, output dx. */
export const OneDnnGeluGrad = 'OneDnnGeluGrad';
/**
 * Multi-head self-attention: inputs {q, k, v} (each [B, T, D] float32), attrs {heads, scale};
 * outputs [out ([B, T, D]), probs ([B, heads, T, T], kept for the gradient)]. Called by name from
 * model code, which uses output 0 only.
 */
export const OneDnnAttention = 'OneDnnAttention';
/** Its gradient: inputs {q, k, v, probs, dy}, attrs {heads, scale}, outputs [dq, dk, dv]. */
export const OneDnnAttentionGrad = 'OneDnnAttentionGrad';
/**
 * Bilinear sampling of an image at normalised grid points (PyTorch's grid_sample with align_corners
 * false and zeros padding): inputs {x ([B, H, W, C] float32), grid ([B, Ho, Wo, 2] float32, (x, y) in
 * [-1, 1])}, output y [B, Ho, Wo, C]. Called by name from model code (the spatial transformer).
 */
export const OneDnnGridSample = 'OneDnnGridSample';
/** Its gradient: inputs {x, grid, dy}, outputs [dx, dgrid]. */
export const OneDnnGridSampleGrad = 'OneDnnGridSampleGrad';

/** Attributes of OneDnnLayerNorm and its gradient. */
export interface OneDnnLayerNormAttrs {
  epsilon: number;
}

/** Attributes of OneDnnAttention and its gradient. */
export interface OneDnnAttentionAttrs {
  heads: number;
  scale: number;
}

/** Attributes of OneDnnFusedConv2D: FusedConv2D's plus what the gradient needs. */
export interface OneDnnFusedConv2DAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation: 'relu' | 'linear';
  hasBias: boolean;
  biasShape: number[];
}

/** Attributes of OneDnnMaxPoolTraining (MaxPool's, always NHWC). */
export interface OneDnnMaxPoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
}

/** Attributes of OneDnnMaxPoolGradWs: the forward's plus the input shape. */
export interface OneDnnMaxPoolGradWsAttrs extends OneDnnMaxPoolAttrs {
  inputShape: [number, number, number, number];
}

/** Attributes of OneDnnFusedBatchNormGrad (FusedBatchNorm's). */
export interface OneDnnFusedBatchNormGradAttrs {
  varianceEpsilon: number;
}

/** Attributes of OneDnnBatchNormTraining. */
export interface OneDnnBatchNormTrainingAttrs {
  varianceEpsilon: number;
}

/** Attributes of OneDnnMoments: the shape of mean and variance (with or without kept dims). */
export interface OneDnnMomentsAttrs {
  outShape: number[];
}

/** Attributes of OneDnnFusedMatMul: _FusedMatMul's plus what the gradient needs. */
export interface OneDnnFusedMatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation: 'relu' | 'linear';
  leakyreluAlpha: number;
  hasBias: boolean;
  biasShape: number[];
}
