// Training-time batch norm over the batch's own moments, for the onednn
// backend (the second half of tfjs-layers' BatchNormalization in training).
//
// tfjs-layers computes, in training, {mean, variance} = tf.moments(x, every
// axis but the last) and then tf.batchNorm{2,3,4}d(x, mean, variance, beta,
// gamma). Differentiated separately, the FusedBatchNorm node gives dx, dMean
// and dVariance, the moments node turns dMean and dVariance into a second dx
// and the tape adds the two: four full-size passes after the parameter sums.
// installBatchNormTraining() replaces `batchNorm`, `batchNorm2d`, `batchNorm3d`
// and `batchNorm4d` on tfjs-core's CommonJS exports (the ones tfjs-layers
// calls) with versions that, while 'onednn' is active and gradients are
// being recorded, recognise a mean and variance that OneDnnMoments (patches/
// moments.ts) computed from this very x, and then run OneDnnBatchNormTraining:
// the FusedBatchNorm forward whose gradient differentiates through the
// statistics too (dx in one pass, see gradients/OneDnnBatchNormTraining_grad.ts).
// Its mean and variance inputs are aliases of the same buffers that are not on
// the tape, so the moments node only receives gradients from other uses of
// mean and variance (none in BatchNormalization: its moving averages are not
// differentiated); the result is the same gradient by linearity. Anything else
// (inference, other backends, statistics from elsewhere, non-per-channel or
// non-tensor parameters, rank mismatches that tfjs reports) goes to the
// original function.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAME, OneDnnBackend } from '../backend.js';
import { OneDnnBatchNormTraining } from '../kernels/custom_names.js';
import type { OneDnnBatchNormTrainingAttrs } from '../kernels/custom_names.js';
import { addon } from '../native.js';
import { memberPatch } from './patch_util.js';
import { batchMoments } from './moments.js';

type Param = tf.Tensor | tf.TensorLike | undefined | null;
type BatchNormFn = (x: tf.Tensor | tf.TensorLike, mean: Param, variance: Param, offset?: Param,
  scale?: Param, varianceEpsilon?: number) => tf.Tensor;
const NAMES = ['batchNorm', 'batchNorm2d', 'batchNorm3d', 'batchNorm4d'] as const;
type Name = (typeof NAMES)[number];
const RANK: Record<Name, number | null> = { batchNorm: null, batchNorm2d: 2, batchNorm3d: 3, batchNorm4d: 4 };

const tfcCjs = createRequire(import.meta.url)('@tensorflow/tfjs-core') as Record<Name, BatchNormFn>;
const originals = Object.fromEntries(NAMES.map((n) => [n, tfcCjs[n]])) as Record<Name, BatchNormFn>;

/** A tensor outside the tape sharing t's buffer (disposed with the surrounding tidy). */
function alias(t: tf.Tensor): tf.Tensor {
  (tf.backend() as OneDnnBackend).incRef(t.dataId);
  return tf.engine().makeTensorFromDataId(t.dataId, t.shape, t.dtype);
}

function training(name: Name): BatchNormFn {
  const original = originals[name];
  return (x, mean, variance, offset, scale, varianceEpsilon = 0.001) => {
    const stats = mean instanceof tf.Tensor ? batchMoments.get(mean) : undefined;
    if (!stats || stats.x !== x || stats.variance !== variance || !addon ||
        tf.getBackend() !== BACKEND_NAME || tf.engine().state.gradientDepth === 0) {
      return original(x, mean, variance, offset, scale, varianceEpsilon);
    }
    const xt = x as tf.Tensor, m = mean as tf.Tensor, v = variance as tf.Tensor;
    const C = xt.shape[xt.rank - 1];
    const ok = (p: Param) => p == null || (p instanceof tf.Tensor && p.dtype === 'float32' && p.rank === 1 && p.size === C);
    if ((RANK[name] !== null && xt.rank !== RANK[name]) || !ok(offset) || !ok(scale) ||
        m.isDisposed || v.isDisposed) {
      return original(x, mean, variance, offset, scale, varianceEpsilon);
    }
    const attrs: OneDnnBatchNormTrainingAttrs = { varianceEpsilon };
    return tf.tidy(() => {
      // Absent scale / offset: ones / zeros, which are not on the tape either.
      const inputs: tf.NamedTensorMap = {
        x: xt, mean: alias(m), variance: alias(v),
        scale: scale != null ? scale as tf.Tensor : tf.ones([C]),
        offset: offset != null ? offset as tf.Tensor : tf.zeros([C]),
      };
      return tf.engine().runKernel(OneDnnBatchNormTraining, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    });
  };
}

const patch = memberPatch(tfcCjs, Object.fromEntries(NAMES.map((n) => [n, training(n)])) as Record<Name, BatchNormFn>);

/** Routes training-time batch norms over x's own OneDnnMoments through OneDnnBatchNormTraining. */
export function installBatchNormTraining(): void {
  patch.install();
}

/** Restores tfjs-core's own batchNorm, batchNorm2d, batchNorm3d and batchNorm4d. */
export function uninstallBatchNormTraining(): void {
  patch.uninstall();
}
