// Shared by bench/profile.ts and bench/profile-calls.ts: timing hooks around
// every kernel of a backend, and a compiled model with a synthetic batch.
import * as tf from '@tensorflow/tfjs-core';
import { getKernelsForBackend, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { OneDnnAdam } from '@convkit/tfjs-backend-onednn';
import { profileSpecs, specs, syntheticBatch } from './models.js';
import type { ModelSpec } from './models.js';

export type KernelArgs = Parameters<KernelFunc>[0];
/** One timed kernel call: process CPU ms (all threads) and wall ms. */
export type OnCall = (kernelName: string, args: KernelArgs, cpuMs: number, wallMs: number) => void;

/**
 * Re-registers every kernel of `backendName` with a wrapper that, while
 * `active()` is true, reports each call's CPU and wall time to `onCall`.
 */
export function hookKernels(backendName: string, active: () => boolean, onCall: OnCall): void {
  for (const k of getKernelsForBackend(backendName)) {
    const inner = k.kernelFunc;
    const wrapped: KernelConfig = { ...k, kernelFunc: ((args: KernelArgs) => {
      if (!active()) return inner(args);
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const out = inner(args);
      const d = process.cpuUsage(c0);
      onCall(k.kernelName, args, (d.user + d.system) / 1000, performance.now() - w0);
      return out;
    }) as KernelFunc };
    unregisterKernel(k.kernelName, backendName);
    registerKernel(wrapped);
  }
}

/** A benchmark model compiled with Adam (OneDnnAdam on onednn) and one synthetic batch. */
export async function trainingSetup(id: string, backendName: string):
  Promise<{ spec: ModelSpec; model: tfl.LayersModel; x: tf.Tensor4D; y: tf.Tensor2D }> {
  const spec = [...specs, ...profileSpecs].find((s) => s.id === id);
  if (!spec) throw new Error(`unknown model ${id}`);
  await tf.setBackend(backendName);
  const model = spec.build();
  model.compile({ optimizer: backendName === 'onednn' ? new OneDnnAdam() : tf.train.adam(),
    loss: 'categoricalCrossentropy' });
  return { spec, model, ...syntheticBatch(spec, spec.batch) };
}
