import assert from 'node:assert/strict';
import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { nativeAdam } from '../src/train/backend.js';
import { loadNativePackage } from '../src/util/native-package.js';

type NativeStats = { kernelStats(): Record<'native' | 'fallback' | 'cpu', Record<string, number>>; resetKernelStats(): void; CPU_VIEW_KERNELS: readonly string[] };

/**
 * Compiles `model` as convkit's training loop runs it (the native Adam, cross-entropy, the accuracy metric, dropout
 * active), runs two trainOnBatch steps on x, y (tfjs must be on onednn) and asserts that the second ran no tfjs-cpu
 * code but views and that no native kernel handed its inputs to tfjs-cpu; returns the second step's native calls.
 */
export async function assertNativeTrainingStep(model: LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<Record<string, number>> {
  const native = (await loadNativePackage()).mod as NativeStats;
  model.compile({ optimizer: nativeAdam(1e-3)!, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.trainOnBatch(x, y);
  native.resetKernelStats();
  await model.trainOnBatch(x, y);
  const stats = native.kernelStats();
  const cpu = Object.keys(stats.cpu).filter((k) => !native.CPU_VIEW_KERNELS.includes(k));
  assert.deepEqual(cpu, [], `tfjs-cpu kernels in the step: ${JSON.stringify(stats.cpu)}`);
  assert.deepEqual(stats.fallback, {}, `native kernels that handed their inputs to tfjs-cpu: ${JSON.stringify(stats.fallback)}`);
  return stats.native;
}
