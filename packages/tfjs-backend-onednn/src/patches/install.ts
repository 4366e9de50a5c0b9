// The training-time patches of tfjs-core, installed together when the
// backend is imported. They replace members of tfjs-core's CommonJS exports
// and rely on its internals (engine state, tape, op wrappers), which are not
// a stable API: they are installed only on the tfjs-core version they were
// written and tested for. On any other version the backend warns once and
// runs without them: every op then takes tfjs-core's own path (same results,
// slower training).
import * as tf from '@tensorflow/tfjs-core';
import { installBatchNormTraining, uninstallBatchNormTraining } from './batch_norm.js';
import { installFastDropout, uninstallFastDropout } from './dropout.js';
import { installFusedConv2d, uninstallFusedConv2d } from './fused_conv2d.js';
import { installFusedMatMul, uninstallFusedMatMul } from './fused_mat_mul.js';
import { installMaxPoolTraining, uninstallMaxPoolTraining } from './max_pool.js';
import { installMoments, uninstallMoments } from './moments.js';

/** The tfjs-core version the patches were written for (package.json pins tfjs to it). */
export const PATCHES_TFJS_CORE_VERSION = '4.22.0';

/** Code of the warning emitted (once) when tfjs-core is another version. */
export const TFJS_VERSION_WARNING = 'CONVKIT_ONEDNN_TFJS_VERSION';

let warned = false;

/**
 * Installs the six training-time patches (dropout, fused conv2d, fused matMul, max pool,
 * moments, batchNorm) if `versionCore`, the running tfjs-core's version, is the one they were
 * written for. Otherwise leaves tfjs-core untouched and emits one process warning (once per
 * process). Returns whether the patches are installed.
 */
export function installPatches(versionCore: string = tf.version_core): boolean {
  if (versionCore !== PATCHES_TFJS_CORE_VERSION) {
    if (!warned) {
      warned = true;
      process.emitWarning(
        `@convkit/tfjs-backend-onednn: its training-time patches of tfjs-core were written for ` +
          `tfjs-core ${PATCHES_TFJS_CORE_VERSION}, found ${versionCore}; running without them ` +
          `(same results, slower training). Install @tensorflow/tfjs-core@${PATCHES_TFJS_CORE_VERSION} ` +
          'for full speed.', { code: TFJS_VERSION_WARNING });
    }
    return false;
  }
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
