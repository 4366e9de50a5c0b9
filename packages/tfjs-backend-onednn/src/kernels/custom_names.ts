// Names of the kernels that exist only on the onednn backend (used by the
// training-time fused conv op in patches/fused_conv2d.ts and its gradient).
export const OneDnnFusedConv2D = 'OneDnnFusedConv2D';
export const OneDnnReluGrad = 'OneDnnReluGrad';
export const OneDnnConv2DBackpropFilterBias = 'OneDnnConv2DBackpropFilterBias';

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
