// Training-time fused matMul for the onednn backend (the dense-layer twin
// of patches/fused_conv2d.ts).
//
// While gradients are recorded, tfjs-core's fused.matMul only fuses a linear
// activation; with relu (tfjs-layers' Dense with activation 'relu') it runs
// BatchMatMul, Add(bias) and Relu, and differentiates them as mul(dy,
// step(y)), a bias Sum and two BatchMatMuls. installFusedMatMul() replaces
// the `matMul` member of tfjs-core's `fused` namespace object (the one
// tfjs-layers' Dense layers call, through K.dot) with a version that, while
// 'onednn' is the active backend and gradients are being recorded, runs the
// OneDnnFusedMatMul kernel (one oneDNN matmul with bias and relu post-ops)
// whose gradient is registered in gradients/OneDnnFusedMatMul_grad.ts. The
// linear case (tfjs's own customGrad) goes there too: its gradient then
// computes each input's gradient only when that input needs one. Anything
// else (inference, other backends, other activations, prelu, non-float32 or
// non-tensor operands, rank < 2, broadcast batch dims, a bias that is not
// one value per output column) goes to the original function.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { OneDnnFusedMatMul } from '../kernels/custom_names.js';
import type { OneDnnFusedMatMulAttrs } from '../kernels/custom_names.js';
import { addon } from '../native.js';
import { memberPatch } from './patch_util.js';

type FusedMatMulArgs = Parameters<typeof tf.fused.matMul>[0];
type FusedNs = { matMul: (args: FusedMatMulArgs) => tf.Tensor };

const tfcCjs = createRequire(import.meta.url)('@tensorflow/tfjs-core') as { fused: FusedNs };
const original = tfcCjs.fused.matMul;

const isF32 = (t: unknown): t is tf.Tensor => t instanceof tf.Tensor && t.dtype === 'float32';

function fusedMatMulTrain(args: FusedMatMulArgs): tf.Tensor {
  const { a, b, bias } = args;
  const transposeA = args.transposeA ?? false, transposeB = args.transposeB ?? false;
  const activation = args.activation ?? 'linear';
  if (!addon || tf.getBackend() !== BACKEND_NAME || tf.engine().state.gradientDepth === 0 ||
      (activation !== 'relu' && activation !== 'linear') || args.preluActivationWeights != null ||
      !isF32(a) || !isF32(b) || a.rank < 2 || a.rank !== b.rank ||
      a.shape.slice(0, -2).some((d, i) => d !== b.shape[i])) {
    return original(args);
  }
  const r = a.rank;
  const K = transposeA ? a.shape[r - 2] : a.shape[r - 1];
  const K2 = transposeB ? b.shape[r - 1] : b.shape[r - 2];
  const N = transposeB ? b.shape[r - 2] : b.shape[r - 1];
  if (K !== K2) return original(args); // tfjs reports the error
  if (bias != null && !(isF32(bias) && bias.size === N && bias.rank >= 1 && bias.shape[bias.rank - 1] === N)) {
    return original(args);
  }
  const inputs: tf.NamedTensorMap = bias != null ? { a, b, bias: bias as tf.Tensor } : { a, b };
  const attrs: OneDnnFusedMatMulAttrs = {
    transposeA, transposeB, activation, leakyreluAlpha: 0,
    hasBias: bias != null, biasShape: bias != null ? (bias as tf.Tensor).shape : [],
  };
  return tf.engine().runKernel(OneDnnFusedMatMul, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

const patch = memberPatch(tfcCjs.fused, { matMul: fusedMatMulTrain });

/** Routes training-time fused.matMul (relu/linear) through OneDnnFusedMatMul. */
export function installFusedMatMul(): void {
  patch.install();
}

/** Restores tfjs-core's own fused.matMul. */
export function uninstallFusedMatMul(): void {
  patch.uninstall();
}
