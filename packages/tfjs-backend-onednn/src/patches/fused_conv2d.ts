// Training-time fused conv2d for the onednn backend.
//
// While gradients are recorded, tfjs-core's fused.conv2d only fuses a
// linear activation; with relu (every conv layer of the benchmark models) it
// runs conv2d, add(bias) and relu as three kernels and differentiates them
// as mul(dy, step(y)), a bias Sum and conv backprops: five passes over the
// largest activations of the network. installFusedConv2d() replaces the
// `conv2d` member of tfjs-core's `fused` namespace object (the one
// tfjs-layers' Conv2D layers call) with a version that, while 'onednn' is
// the active backend and gradients are being recorded, runs the
// OneDnnFusedConv2D kernel (conv + bias + relu in one oneDNN primitive)
// whose gradient is registered in gradients/OneDnnFusedConv2D_grad.ts.
// Anything else (inference, other backends, NCHW, dilation, prelu, other
// activations, non-per-channel bias) goes to the original function.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { OneDnnFusedConv2D } from '../kernels/custom_names.js';
import { addon } from '../native.js';
import { memberPatch } from './patch_util.js';
import { markReluOutput } from './relu_marks.js';

type FusedConv2DArgs = Parameters<typeof tf.fused.conv2d>[0];
type FusedNs = { conv2d: (args: FusedConv2DArgs) => tf.Tensor };

const tfcCjs = createRequire(import.meta.url)('@tensorflow/tfjs-core') as { fused: FusedNs };
const original = tfcCjs.fused.conv2d;

const ones = (v: unknown): boolean =>
  v == null || v === 1 || (Array.isArray(v) && v.every((d) => d === 1));

function fusedConv2dTrain(args: FusedConv2DArgs): tf.Tensor {
  const { x, filter, bias } = args;
  const activation = args.activation ?? 'linear';
  if (!addon || tf.getBackend() !== BACKEND_NAME || tf.engine().state.gradientDepth === 0 ||
      (activation !== 'relu' && activation !== 'linear') || (args.dataFormat ?? 'NHWC') !== 'NHWC' ||
      args.preluActivationWeights != null || !ones(args.dilations) ||
      !(x instanceof tf.Tensor) || x.rank !== 4 || x.dtype !== 'float32' ||
      !(filter instanceof tf.Tensor) || filter.rank !== 4 || filter.dtype !== 'float32' ||
      filter.shape[2] !== x.shape[3] || typeof args.pad === 'object') {
    return original(args);
  }
  const c = filter.shape[3];
  if (bias != null && !(bias instanceof tf.Tensor && bias.dtype === 'float32' && bias.size === c &&
      bias.shape[bias.shape.length - 1] === c)) {
    return original(args);
  }
  const inputs: tf.NamedTensorMap = bias != null ? { x, filter, bias } : { x, filter };
  const y = tf.engine().runKernel(OneDnnFusedConv2D, inputs, {
    strides: args.strides, pad: args.pad, dataFormat: 'NHWC', dilations: [1, 1],
    dimRoundingMode: args.dimRoundingMode, activation, leakyreluAlpha: 0,
    hasBias: bias != null, biasShape: bias != null ? (bias as tf.Tensor).shape : [],
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
  if (activation === 'relu') markReluOutput(y);
  return y;
}

const patch = memberPatch(tfcCjs.fused, { conv2d: fusedConv2dTrain });

/** Routes training-time fused.conv2d (relu/linear) through OneDnnFusedConv2D. */
export function installFusedConv2d(): void {
  patch.install();
}

/** Restores tfjs-core's own fused.conv2d. */
export function uninstallFusedConv2d(): void {
  patch.uninstall();
}
