// Helpers shared by the kernel files.
import { getKernel, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { OneDnnBackend } from './backend.js';
import { Act } from './native.js';

export interface KernelArgs {
  // Kernels receive the inputs their op declares; optional ones (bias) may be absent.
  inputs: Record<string, TensorInfo>;
  backend: OneDnnBackend;
  attrs?: NamedAttrMap;
}

/** Runs tfjs-cpu's implementation of `kernelName` (our fallback path). */
export function cpuFallback(kernelName: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  const k = getKernel(kernelName, 'cpu');
  if (!k) throw new Error(`onednn: no cpu kernel ${kernelName} to fall back to`);
  return (k.kernelFunc as KernelFunc)(args as unknown as Parameters<KernelFunc>[0]);
}

/**
 * Builds a kernelFunc from a native attempt: `tryNative` returns a result,
 * or null when the inputs are not supported natively (dtype, layout, …), in
 * which case the tfjs-cpu kernel runs instead.
 */
export function withFallback(kernelName: string,
  tryNative: (args: KernelArgs) => TensorInfo | TensorInfo[] | null): KernelFunc {
  return ((args: KernelArgs) => {
    const out = tryNative(args);
    if (out) {
      count(nativeCalls, kernelName);
      return out;
    }
    count(fallbackCalls, kernelName);
    return cpuFallback(kernelName, args);
  }) as unknown as KernelFunc;
}

const nativeCalls = new Map<string, number>();
const fallbackCalls = new Map<string, number>();
const cpuCalls = new Map<string, number>();
function count(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/**
 * tfjs-cpu kernels that compute nothing: Reshape and Identity hand out the same storage under a
 * new shape or id (a reference count, no pass over the data). A step whose kernelStats().cpu
 * holds only these runs no tfjs-cpu code.
 */
export const CPU_VIEW_KERNELS: readonly string[] = ['Reshape', 'Identity'];

/** tfjs-cpu's kernel config re-registered on onednn, counting its calls in kernelStats().cpu. */
export function countedCpuKernel(k: KernelConfig, backendName: string): KernelConfig {
  const run = k.kernelFunc as unknown as (a: KernelArgs) => TensorInfo | TensorInfo[];
  const name = k.kernelName;
  const kernelFunc = ((args: KernelArgs) => {
    count(cpuCalls, name);
    return run(args);
  }) as unknown as KernelFunc;
  return { ...k, backendName, kernelFunc };
}

/**
 * Per-kernel call counts: `native`, runs of natively implemented kernels; `fallback`, the times
 * one of those handed its inputs to tfjs-cpu's kernel; `cpu`, calls of the kernels onednn takes
 * unchanged from tfjs-cpu (see CPU_VIEW_KERNELS for the ones that compute nothing).
 */
export function kernelStats(): {
  native: Record<string, number>; fallback: Record<string, number>; cpu: Record<string, number>;
} {
  return {
    native: Object.fromEntries(nativeCalls),
    fallback: Object.fromEntries(fallbackCalls),
    cpu: Object.fromEntries(cpuCalls),
  };
}

export function resetKernelStats(): void {
  nativeCalls.clear();
  fallbackCalls.clear();
  cpuCalls.clear();
}

/** oneDNN post-op code for a tfjs fused activation, or null if unsupported. */
export function activationCode(activation: unknown): number | null {
  if (activation === undefined || activation === null) return Act.linear;
  switch (activation) {
    case 'linear': return Act.linear;
    case 'relu': return Act.relu;
    case 'relu6': return Act.relu6;
    case 'elu': return Act.elu;
    case 'leakyrelu': return Act.leakyrelu;
    case 'sigmoid': return Act.sigmoid;
    default: return null; // prelu and anything new: cpu kernel.
  }
}

export const sizeOf = (shape: readonly number[]): number => util.sizeFromShape(shape as number[]);

/** True if oneDNN's output-size formula agrees with tfjs's for one spatial dim. */
export function dimAgrees(inSize: number, effK: number, padL: number, padR: number,
  stride: number, out: number): boolean {
  return padL >= 0 && padR >= 0 && Math.floor((inSize - effK + padL + padR) / stride) + 1 === out;
}
