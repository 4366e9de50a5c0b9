// The kernels implemented natively on oneDNN (plus the onednn-only kernels
// used by the training-time patches: fused conv, fused matmul, max pool, moments,
// batch norm, and by the native FusedBatchNorm gradient; the transformer's layer norm, GELU and
// attention and the spatial transformer's grid sampler, which model code calls by name). Every other tfjs-cpu
// kernel is registered under 'onednn' unchanged (see index.ts).
import type { GradConfig, KernelConfig } from '@tensorflow/tfjs-core';
import { oneDnnAttentionGradientConfig } from './gradients/OneDnnAttention_grad.js';
import { oneDnnBatchNormTrainingGradConfig } from './gradients/OneDnnBatchNormTraining_grad.js';
import { oneDnnFusedConv2DGradConfig } from './gradients/OneDnnFusedConv2D_grad.js';
import { oneDnnFusedMatMulGradConfig } from './gradients/OneDnnFusedMatMul_grad.js';
import { oneDnnGeluGradientConfig } from './gradients/OneDnnGelu_grad.js';
import { oneDnnGridSampleGradientConfig } from './gradients/OneDnnGridSample_grad.js';
import { oneDnnLayerNormGradientConfig } from './gradients/OneDnnLayerNorm_grad.js';
import { oneDnnMomentsGradConfig as oneDnnMomentsGradientConfig } from './gradients/OneDnnMoments_grad.js';
import { zerosLikeConfig } from './kernels/ZerosLike.js';
import { selectConfig } from './kernels/Select.js';
import { notEqualConfig } from './kernels/NotEqual.js';
import { logicalOrConfig } from './kernels/LogicalOr.js';
import { logicalAndConfig } from './kernels/LogicalAnd.js';
import { lessEqualConfig } from './kernels/LessEqual.js';
import { lessConfig } from './kernels/Less.js';
import { greaterEqualConfig } from './kernels/GreaterEqual.js';
import { greaterConfig } from './kernels/Greater.js';
import { equalConfig } from './kernels/Equal.js';
import { clipByValueConfig } from './kernels/ClipByValue.js';
import { castConfig } from './kernels/Cast.js';
import { argMaxConfig } from './kernels/ArgMax.js';
import { absConfig } from './kernels/Abs.js';
import { addConfig } from './kernels/Add.js';
import { avgPoolConfig } from './kernels/AvgPool.js';
import { avgPoolGradConfig } from './kernels/AvgPoolGrad.js';
import { batchMatMulConfig } from './kernels/BatchMatMul.js';
import { conv2DConfig } from './kernels/Conv2D.js';
import { conv2DBackpropFilterConfig } from './kernels/Conv2DBackpropFilter.js';
import { conv2DBackpropInputConfig } from './kernels/Conv2DBackpropInput.js';
import { expConfig } from './kernels/Exp.js';
import { fusedBatchNormConfig } from './kernels/FusedBatchNorm.js';
import { fusedConv2DConfig } from './kernels/FusedConv2D.js';
import { logConfig } from './kernels/Log.js';
import { maxConfig } from './kernels/Max.js';
import { maxPoolConfig } from './kernels/MaxPool.js';
import { maxPoolGradConfig } from './kernels/MaxPoolGrad.js';
import { maximumConfig } from './kernels/Maximum.js';
import { meanConfig } from './kernels/Mean.js';
import { minConfig } from './kernels/Min.js';
import { minimumConfig } from './kernels/Minimum.js';
import { multiplyConfig } from './kernels/Multiply.js';
import { negConfig } from './kernels/Neg.js';
import { oneDnnBatchNormTrainingConfig } from './kernels/OneDnnBatchNormTraining.js';
import { oneDnnConv2DBackpropFilterBiasConfig } from './kernels/OneDnnConv2DBackpropFilterBias.js';
import { oneDnnFusedBatchNormGradConfig } from './kernels/OneDnnFusedBatchNormGrad.js';
import { oneDnnFusedConv2DConfig } from './kernels/OneDnnFusedConv2D.js';
import { oneDnnFusedMatMulConfig } from './kernels/OneDnnFusedMatMul.js';
import { oneDnnMaxPoolGradWsConfig } from './kernels/OneDnnMaxPoolGradWs.js';
import { oneDnnMaxPoolTrainingConfig } from './kernels/OneDnnMaxPoolTraining.js';
import { oneDnnMomentsConfig, oneDnnMomentsGradConfig } from './kernels/OneDnnMoments.js';
import { oneDnnAttentionConfig, oneDnnAttentionGradConfig } from './kernels/OneDnnAttention.js';
import { oneDnnGeluConfig, oneDnnGeluGradConfig } from './kernels/OneDnnGelu.js';
import { oneDnnGridSampleConfig, oneDnnGridSampleGradConfig } from './kernels/OneDnnGridSample.js';
import { oneDnnLayerNormConfig, oneDnnLayerNormGradConfig } from './kernels/OneDnnLayerNorm.js';
import { oneDnnReluGradConfig } from './kernels/OneDnnReluGrad.js';
import { prodConfig } from './kernels/Prod.js';
import { realDivConfig } from './kernels/RealDiv.js';
import { reluConfig } from './kernels/Relu.js';
import { relu6Config } from './kernels/Relu6.js';
import { rsqrtConfig } from './kernels/Rsqrt.js';
import { sigmoidConfig } from './kernels/Sigmoid.js';
import { softmaxConfig } from './kernels/Softmax.js';
import { sqrtConfig } from './kernels/Sqrt.js';
import { squareConfig } from './kernels/Square.js';
import { squaredDifferenceConfig } from './kernels/SquaredDifference.js';
import { stepConfig } from './kernels/Step.js';
import { subConfig } from './kernels/Sub.js';
import { sumConfig } from './kernels/Sum.js';
import { tileConfig } from './kernels/Tile.js';
import { transformConfig } from './kernels/Transform.js';
import { transposeConfig } from './kernels/Transpose.js';
import { fusedMatMulConfig } from './kernels/_FusedMatMul.js';

export const nativeKernelConfigs: KernelConfig[] = [
  argMaxConfig,
  castConfig,
  clipByValueConfig,
  equalConfig,
  greaterConfig,
  greaterEqualConfig,
  lessConfig,
  lessEqualConfig,
  logicalAndConfig,
  logicalOrConfig,
  notEqualConfig,
  selectConfig,
  zerosLikeConfig,
  absConfig,
  addConfig,
  avgPoolConfig,
  avgPoolGradConfig,
  batchMatMulConfig,
  conv2DConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  expConfig,
  fusedBatchNormConfig,
  fusedConv2DConfig,
  logConfig,
  maxConfig,
  maxPoolConfig,
  maxPoolGradConfig,
  maximumConfig,
  meanConfig,
  minConfig,
  minimumConfig,
  multiplyConfig,
  negConfig,
  oneDnnBatchNormTrainingConfig,
  oneDnnConv2DBackpropFilterBiasConfig,
  oneDnnFusedBatchNormGradConfig,
  oneDnnFusedConv2DConfig,
  oneDnnFusedMatMulConfig,
  oneDnnMaxPoolGradWsConfig,
  oneDnnMaxPoolTrainingConfig,
  oneDnnMomentsConfig,
  oneDnnMomentsGradConfig,
  oneDnnReluGradConfig,
  oneDnnLayerNormConfig,
  oneDnnLayerNormGradConfig,
  oneDnnGeluConfig,
  oneDnnGeluGradConfig,
  oneDnnAttentionConfig,
  oneDnnAttentionGradConfig,
  oneDnnGridSampleConfig,
  oneDnnGridSampleGradConfig,
  prodConfig,
  realDivConfig,
  reluConfig,
  relu6Config,
  rsqrtConfig,
  sigmoidConfig,
  softmaxConfig,
  sqrtConfig,
  squareConfig,
  squaredDifferenceConfig,
  stepConfig,
  subConfig,
  sumConfig,
  tileConfig,
  transformConfig,
  transposeConfig,
  fusedMatMulConfig,
];

/**
 * Gradients of the onednn-only kernels (FusedBatchNorm's is installed separately: it replaces
 * tfjs-core's for every backend, see gradients/FusedBatchNorm_grad.ts).
 */
export const nativeGradientConfigs: GradConfig[] = [
  oneDnnFusedConv2DGradConfig,
  oneDnnFusedMatMulGradConfig,
  oneDnnMomentsGradientConfig,
  oneDnnBatchNormTrainingGradConfig,
  oneDnnLayerNormGradientConfig,
  oneDnnGeluGradientConfig,
  oneDnnAttentionGradientConfig,
  oneDnnGridSampleGradientConfig,
];
