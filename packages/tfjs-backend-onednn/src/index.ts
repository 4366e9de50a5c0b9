// @convkit/tfjs-backend-onednn: a tfjs backend named 'onednn'.
//
// Importing this module registers the backend (when the native addon loads):
//   import '@convkit/tfjs-backend-onednn';
//   await tf.setBackend('onednn');
// If the addon cannot be loaded nothing is registered, isAvailable() is
// false and loadError explains how to fix it; importing never throws.
import '@tensorflow/tfjs-backend-cpu'; // registers 'cpu' and its kernels
import { findBackendFactory, getKernel, getKernelsForBackend, registerBackend, registerKernel } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, OneDnnBackend } from './backend.js';
import { registerGradient } from '@tensorflow/tfjs-core';
import { installFusedBatchNormGrad } from './gradients/FusedBatchNorm_grad.js';
import { installPatches } from './patches/install.js';
import { addon, defaultThreads, loadError } from './native.js';
import { nativeGradientConfigs, nativeKernelConfigs } from './register_all_kernels.js';
import { countedCpuKernel } from './kernel_utils.js';

export { BACKEND_NAME, OneDnnBackend } from './backend.js';
export { loadError, addonPath } from './native.js';
export { OneDnnAdam } from './optimizers/OneDnnAdam.js';
export { installFastDropout, uninstallFastDropout, isFastDropoutInstalled } from './patches/dropout.js';
export { installFusedConv2d, uninstallFusedConv2d } from './patches/fused_conv2d.js';
export { installFusedMatMul, uninstallFusedMatMul } from './patches/fused_mat_mul.js';
export { installMaxPoolTraining, uninstallMaxPoolTraining } from './patches/max_pool.js';
export { setPoolReluLink } from './patches/relu_marks.js';
export { installMoments, uninstallMoments } from './patches/moments.js';
export { installBatchNormTraining, uninstallBatchNormTraining } from './patches/batch_norm.js';
export {
  installPatches, uninstallPatches, PATCHES_TFJS_CORE_VERSION, TFJS_VERSION_WARNING,
} from './patches/install.js';
export {
  installFusedBatchNormGrad, uninstallFusedBatchNormGrad, isFusedBatchNormGradInstalled,
} from './gradients/FusedBatchNorm_grad.js';
export { nativeKernelConfigs } from './register_all_kernels.js';
export { kernelStats, resetKernelStats, CPU_VIEW_KERNELS } from './kernel_utils.js';
export { InferencePlan, fuseGraph, type PlanGraph, type PlanNode, type PlanActivation } from './plan.js';

/** Backend priority: above tfjs-cpu (1), so it becomes tfjs's default once imported. */
export const BACKEND_PRIORITY = 2;

/** True if the native addon loaded and the 'onednn' backend is registered. */
export function isAvailable(): boolean {
  return addon !== null;
}

/** Number of threads oneDNN/OpenMP uses (CONVKIT_THREADS or all cores by default). */
export function getNumThreads(): number {
  return addon ? addon.getNumThreads() : 0;
}

/** Changes the thread count for subsequent native kernels. */
export function setNumThreads(n: number): void {
  if (!addon) throw loadError ?? new Error('oneDNN addon not loaded');
  addon.setNumThreads(n);
}

/** The oneDNN library version the addon runs against, or null. */
export function onednnVersion(): string | null {
  if (!addon) return null;
  const v = addon.version();
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** Names of the kernels that run natively (everything else is tfjs-cpu's code). */
export function nativeKernelNames(): string[] {
  return nativeKernelConfigs.map((k) => k.kernelName);
}

export { defaultThreads };

function register(): void {
  if (!addon || findBackendFactory(BACKEND_NAME) != null) return;
  registerBackend(BACKEND_NAME, () => new OneDnnBackend(), BACKEND_PRIORITY);
  const native = new Set(nativeKernelNames());
  for (const k of nativeKernelConfigs) registerKernel(k);
  for (const k of getKernelsForBackend('cpu')) {
    if (native.has(k.kernelName) || getKernel(k.kernelName, BACKEND_NAME)) continue;
    registerKernel(countedCpuKernel(k, BACKEND_NAME));
  }
  for (const g of nativeGradientConfigs) registerGradient(g);
  // FusedBatchNorm's gradient (native on onednn, tfjs-core's formula elsewhere).
  installFusedBatchNormGrad();
  // CONVKIT_ONEDNN_PATCHES=0 keeps tfjs-core's dropout(), fused.conv2d(), fused.matMul(),
  // maxPool(), moments() and batchNorm*() untouched; so does a tfjs-core other than the one
  // the patches were written for (with a warning).
  if (process.env.CONVKIT_ONEDNN_PATCHES !== '0') installPatches();
}

register();
