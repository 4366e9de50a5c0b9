// The training-time patches of tfjs-core, installed together when the
// backend is imported. They replace members of tfjs-core's CommonJS exports
// and rely on its internals (engine state, tape, op wrappers), which are not
// a stable API: they are installed only when the version gate of
// ../tfjs_internals.ts is open. Otherwise every op takes tfjs-core's own path
// (same results, slower training).
import * as tf from '@tensorflow/tfjs-core';
import { internalsUsable } from '../tfjs_internals.js';
import { installBatchNormTraining, uninstallBatchNormTraining } from './batch_norm.js';
import { installFastDropout, uninstallFastDropout } from './dropout.js';
import { installFusedConv2d, uninstallFusedConv2d } from './fused_conv2d.js';
import { installFusedMatMul, uninstallFusedMatMul } from './fused_mat_mul.js';
import { installMaxPoolTraining, uninstallMaxPoolTraining } from './max_pool.js';
import { installMoments, uninstallMoments } from './moments.js';

export { PATCHES_TFJS_CORE_VERSION, TFJS_VERSION_WARNING } from '../tfjs_internals.js';

/**
 * Installs the six training-time patches (dropout, fused conv2d, fused matMul, max pool,
 * moments, batchNorm) if `versionCore`, the running tfjs-core's version, is the one they were
 * written for. Otherwise leaves tfjs-core untouched and emits one process warning (once per
 * process). Returns whether the patches are installed.
 */
export function installPatches(versionCore: string = tf.version_core): boolean {
  if (!internalsUsable(versionCore)) return false;
  installFastDropout();
  installFusedConv2d();
  installFusedMatMul();
  installMaxPoolTraining();
  installMoments();
  installBatchNormTraining();
  return true;
}

/** Restores tfjs-core's own dropout, fused.conv2d, fused.matMul, maxPool, moments and batchNorm*. */
export function uninstallPatches(): void {
  uninstallFastDropout();
  uninstallFusedConv2d();
  uninstallFusedMatMul();
  uninstallMaxPoolTraining();
  uninstallMoments();
  uninstallBatchNormTraining();
}
