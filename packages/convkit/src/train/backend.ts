import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ConvkitError } from '../util/errors.js';
import { loadNativePackage } from '../util/native-package.js';

export const NATIVE_BACKEND = 'onednn';
const INSTALL_HINT = 'install oneDNN with `apt-get install libdnnl-dev` and build with `make build`';

let nativeProbe: Promise<{ ok: boolean; why?: string }> | null = null;
let nativeModule: any = null;

/** Tries once to load the oneDNN backend package; never throws. */
export function probeNativeBackend(): Promise<{ ok: boolean; why?: string }> {
  nativeProbe ??= (async () => {
    const native = await loadNativePackage();
    if (!native.mod) return { ok: false, why: native.why };
    nativeModule = native.mod;
    if (!tf.findBackendFactory(NATIVE_BACKEND)) return { ok: false, why: 'package loaded but registered no "onednn" backend' };
    return { ok: true };
  })();
  return nativeProbe;
}

/**
 * Activates a tfjs backend. `auto` means the fastest one available: `onednn` when its addon
 * loads, else `cpu` with one warning saying how to get the native one.
 */
export async function selectBackend(name: string, warn: (msg: string) => void = (m) => process.stderr.write(m + '\n')): Promise<string> {
  // Production mode: skips debug checks and tfjs-cpu's "install tfjs-node" banner, which is wrong advice here.
  // Set here, not on import: a program that imports convkit keeps tfjs's global settings until it asks for a backend.
  tf.enableProdMode();
  const native = await probeNativeBackend();
  let chosen = name;
  if (name === 'auto') {
    if (native.ok) chosen = NATIVE_BACKEND;
    else {
      chosen = 'cpu';
      warn(`convkit: warning: native backend "onednn" unavailable (${native.why}); using the slow "cpu" backend — ${INSTALL_HINT}`);
    }
  } else if (name === NATIVE_BACKEND && !native.ok) {
    throw new ConvkitError(`option --backend: "onednn" is unavailable (${native.why}); ${INSTALL_HINT}`);
  }
  if (!tf.findBackendFactory(chosen)) {
    const known = Object.keys((tf.engine() as any).registryFactory ?? {}).join(', ');
    throw new ConvkitError(`option --backend: unknown backend "${chosen}" (registered: ${known || 'cpu'})`);
  }
  const ok = await tf.setBackend(chosen);
  if (!ok) throw new ConvkitError(`option --backend: backend "${chosen}" failed to initialise`);
  await tf.ready();
  return chosen;
}

/**
 * The native package's Adam (one fused pass per variable, same state and serialisation as tfjs's),
 * when `onednn` is the active backend; null otherwise.
 */
export function nativeAdam(lr: number): tf.Optimizer | null {
  if (tf.getBackend() !== NATIVE_BACKEND || typeof nativeModule?.OneDnnAdam !== 'function') return null;
  return new nativeModule.OneDnnAdam(lr) as tf.Optimizer;
}

/** True when the active backend is onednn and runs `kernelName` natively (e.g. Transform, for augmentation). */
export function hasNativeKernel(kernelName: string): boolean {
  if (tf.getBackend() !== NATIVE_BACKEND || typeof nativeModule?.nativeKernelNames !== 'function') return false;
  return (nativeModule.nativeKernelNames() as string[]).includes(kernelName);
}
