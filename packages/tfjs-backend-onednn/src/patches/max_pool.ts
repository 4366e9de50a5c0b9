// Training-time max pool for the onednn backend.
//
// tfjs's MaxPool gradient receives only (x, y), so the MaxPoolGrad kernel has
// to re-run oneDNN's forward pass to rebuild the argmax workspace before it
// can run pooling backward: the forward is paid twice per training step.
// installMaxPoolTraining() replaces the `maxPool` export of tfjs-core's
// CommonJS module (the one tfjs-layers' MaxPooling2D layers call) with a
// version that, while 'onednn' is the active backend and gradients are being
// recorded, runs OneDnnMaxPoolTraining (output + workspace in one pass) and
// differentiates it with OneDnnMaxPoolGradWs from the saved workspace (a
// tensor kept by the tape exactly like tfjs's own saved x and y, and freed
// with it). Inference (no gradient recorded) runs the plain MaxPool kernel:
// it pays for no workspace. Anything else (other backends, rank 3,
// dimRoundingMode, explicit padding, geometries oneDNN cannot express,
// non-float32 or non-tensor inputs) goes to the original function. ESM
// importers of tf.maxPool keep tfjs's (as for the dropout patch).
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { OneDnnMaxPoolGradWs, OneDnnMaxPoolTraining, OneDnnReluGrad } from '../kernels/custom_names.js';
import type { OneDnnMaxPoolAttrs, OneDnnMaxPoolGradWsAttrs } from '../kernels/custom_names.js';
import { poolGeom } from '../kernels/pool_common.js';
import { addon } from '../native.js';
import { memberPatch } from './patch_util.js';
import { isReluOutput, markMaskedFor } from './relu_marks.js';

type MaxPoolFn = typeof tf.maxPool;

const tfcCjs = createRequire(import.meta.url)('@tensorflow/tfjs-core') as { maxPool: MaxPoolFn };
const original: MaxPoolFn = tfcCjs.maxPool;

// One tape node (customGrad) under an op scope of its own; the workspace is
// saved for the backward pass, and the output too when the input is a fused
// conv's ReLU output (see relu_marks.ts: the gradient then also applies that
// ReLU's mask, on the pool's 4x smaller side).
const maxPoolWithWorkspace = tf.op({
  oneDnnMaxPool_: (x: tf.Tensor4D, attrs: OneDnnMaxPoolAttrs): tf.Tensor4D => {
    const engine = tf.engine();
    const f = tf.customGrad(((xt: tf.Tensor, save: tf.GradSaveFunc) => {
      const [y, ws] = engine.runKernel(OneDnnMaxPoolTraining, { x: xt },
        attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      const relu = isReluOutput(xt);
      save(relu ? [ws, y] : [ws]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const dyIn = relu ? engine.runKernel(OneDnnReluGrad, { dy, y: saved[1] }, {}) as tf.Tensor : dy;
          const dx = engine.runKernel(OneDnnMaxPoolGradWs, { dy: dyIn, ws: saved[0] },
            { ...attrs, inputShape: x.shape } as OneDnnMaxPoolGradWsAttrs as unknown as tf.NamedAttrMap) as tf.Tensor;
          if (relu) markMaskedFor(dx, xt);
          return dx;
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return f(x) as tf.Tensor4D;
  },
});

function maxPoolTrain(...args: Parameters<MaxPoolFn>): ReturnType<MaxPoolFn> {
  const [x, filterSize, strides, pad, dimRoundingMode] = args;
  if (!addon || tf.getBackend() !== BACKEND_NAME || tf.engine().state.gradientDepth === 0 ||
      !(x instanceof tf.Tensor) || x.rank !== 4 || x.dtype !== 'float32' || dimRoundingMode != null ||
      !(pad === 'valid' || pad === 'same' || typeof pad === 'number')) {
    return original(...args);
  }
  const attrs: OneDnnMaxPoolAttrs = { filterSize, strides, pad };
  let supported = false;
  try {
    supported = poolGeom(x.shape, attrs) != null;
  } catch {
    // invalid arguments: the original op reports them
  }
  if (!supported) return original(...args);
  return maxPoolWithWorkspace(x as tf.Tensor4D, attrs) as ReturnType<MaxPoolFn>;
}

const patch = memberPatch(tfcCjs, { maxPool: maxPoolTrain as MaxPoolFn });

/** Routes training-time tf.maxPool (tfjs-core's CommonJS export) through OneDnnMaxPoolTraining. */
export function installMaxPoolTraining(): void {
  patch.install();
}

/** Restores tfjs-core's own maxPool. */
export function uninstallMaxPoolTraining(): void {
  patch.uninstall();
}
