// Native gradient of tfjs's FusedBatchNorm kernel (tf.batchNorm) on the
// onednn backend.
//
// tfjs-core's FusedBatchNorm_grad computes dx, dMean, dVariance, dScale and
// dOffset with ~20 small ops (rsqrt, tile, several full-size multiplies, four
// sums). Here, for per-channel parameters, one native pass over (x, dy) gives
// sum(dy) and sum(dy·(x − mean)) per channel and from them the four
// parameter gradients and k = scale/√(variance + ε); dx = dy·k is one native
// Multiply. Same formulas as tfjs-core:
//   dx = dy·scale·r            dMean = −r·scale·Σdy     dOffset = Σdy
//   dScale = r·Σdy(x−mean)     dVariance = −½·r³·scale·Σdy(x−mean),   r = 1/√(variance + ε)
// (sums over every axis but the last). The sums are computed when the
// backward pass reaches the node, for all four parameters at once.
//
// Gradients are global per kernel name (not per backend), so this config
// replaces the registered FusedBatchNorm gradient and hands everything it
// does not handle to the one it replaced (normally tfjs-core's, registered by
// tfjs-layers): other backends, non-float32 tensors, parameters that are not
// one value per channel, x of rank other than 4 (tfjs's op always passes 4-D).
// tfjs-layers registers all of tfjs-core's gradients when it is imported,
// possibly after this package, so the onednn FusedBatchNorm kernel calls
// ensureFusedBatchNormGrad() on every forward run: it re-installs this config
// if another FusedBatchNorm gradient with the same saved inputs was
// registered since, keeping that one as the fallback (a gradient saving
// other tensors is left alone).
import * as tf from '@tensorflow/tfjs-core';
import { FusedBatchNorm, getGradient, registerGradient } from '@tensorflow/tfjs-core';
import type { FusedBatchNormAttrs, GradConfig, NamedAttrMap } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { OneDnnFusedBatchNormGrad } from '../kernels/custom_names.js';
import { addon } from '../native.js';

const INPUTS_TO_SAVE = ['x', 'mean', 'variance', 'scale'];

/** The FusedBatchNorm gradient this one replaced (tfjs-core's once tfjs-layers is loaded). */
let displaced: GradConfig | null = null;
let installed = false;

function perChannel(t: tf.Tensor | undefined | null, C: number): boolean {
  return t != null && t.dtype === 'float32' && t.rank === 1 && t.shape[0] === C;
}

function nativeApplies(dy: tf.Tensor, x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor,
  scale: tf.Tensor | undefined): boolean {
  if (!installed || !addon || tf.getBackend() !== BACKEND_NAME) return false;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || x.rank !== 4 || x.size === 0) return false;
  const C = x.shape[3] as number;
  return perChannel(mean, C) && perChannel(variance, C) && (scale == null || perChannel(scale, C));
}

export const fusedBatchNormGradConfig: GradConfig = {
  kernelName: FusedBatchNorm,
  inputsToSave: INPUTS_TO_SAVE,
  gradFunc: (dyIn: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
    const dy = dyIn as tf.Tensor;
    const [x, mean, variance, scale] = saved;
    if (!nativeApplies(dy, x, mean, variance, scale)) {
      if (!displaced) {
        throw new Error('Cannot compute gradient: gradient function not found for FusedBatchNorm ' +
          '(import @tensorflow/tfjs-layers or @tensorflow/tfjs to register tfjs-core\'s gradients).');
      }
      return displaced.gradFunc(dyIn, saved, attrs);
    }
    const { varianceEpsilon } = attrs as unknown as FusedBatchNormAttrs;
    const inputs: tf.NamedTensorMap = scale != null ? { x, dy, mean, variance, scale } : { x, dy, mean, variance };
    const [dMean, dVariance, dScale, dOffset, k] = tf.engine().runKernel(OneDnnFusedBatchNormGrad, inputs,
      { varianceEpsilon } as unknown as NamedAttrMap) as tf.Tensor[];
    const shape = mean.shape;
    return {
      x: () => tf.mul(dy, k),
      mean: () => tf.reshape(dMean, shape),
      variance: () => tf.reshape(dVariance, shape),
      scale: () => tf.reshape(dScale, shape),
      offset: () => tf.reshape(dOffset, shape),
    };
  },
};

function sameSavedTensors(c: GradConfig): boolean {
  const s = c.inputsToSave ?? [];
  return !c.saveAllInputs && !(c.outputsToSave ?? []).some(Boolean) &&
    s.length === INPUTS_TO_SAVE.length && s.every((n, i) => n === INPUTS_TO_SAVE[i]);
}

/**
 * Makes the native FusedBatchNorm gradient the registered one (if installed), keeping the
 * gradient registered before it as the fallback. Cheap; called on every onednn FusedBatchNorm.
 */
export function ensureFusedBatchNormGrad(): void {
  if (!installed) return;
  const current = getGradient(FusedBatchNorm);
  if (current === fusedBatchNormGradConfig) return;
  if (current != null) {
    if (!sameSavedTensors(current)) return; // someone's own gradient with another contract
    // (A copy of this config is not a fallback: it would delegate back here.)
    if (current.gradFunc !== fusedBatchNormGradConfig.gradFunc) displaced = current;
  }
  registerGradient(fusedBatchNormGradConfig);
}

/** Uses the native FusedBatchNorm gradient on onednn (installed by default). */
export function installFusedBatchNormGrad(): void {
  if (installed || !addon) return;
  installed = true;
  ensureFusedBatchNormGrad();
}

/** Goes back to the FusedBatchNorm gradient registered before (tfjs-core's formula). */
export function uninstallFusedBatchNormGrad(): void {
  if (!installed) return;
  installed = false;
  // With nothing to restore, the config stays registered and delegates (installed = false).
  if (displaced && getGradient(FusedBatchNorm) === fusedBatchNormGradConfig) registerGradient(displaced);
}

export function isFusedBatchNormGradInstalled(): boolean {
  return installed;
}
