// The one version gate of every use of tfjs internals in this package: members and behaviour of
// tfjs-core and tfjs-backend-cpu that are not a stable API. They are used only on the tfjs-core
// version they were written and tested for (package.json pins tfjs to it); on any other version
// the backend warns once and runs without them, with the same results, more slowly:
// - the training-time patches of tfjs-core's ops (patches/install.ts);
// - OneDnnAdam's native update, which reads and writes AdamOptimizer's private state
//   (accBeta1/accBeta2, accumulatedFirstMoment/SecondMoment);
// - the output buffer pool of OneDnnBackend, which relies on how tfjs-cpu's storage hands out
//   and shares its arrays (readSync returns the backing array, kernels register views);
// - MathBackendCPU's private `firstUse` flag (it prints "install tfjs-node" on first use).
import * as tf from '@tensorflow/tfjs-core';

/** The tfjs-core version the uses of its internals were written for. */
export const PATCHES_TFJS_CORE_VERSION = '4.22.0';

/** Code of the warning emitted (once) when tfjs-core is another version. */
export const TFJS_VERSION_WARNING = 'CONVKIT_ONEDNN_TFJS_VERSION';

let warned = false;

/**
 * Whether tfjs internals may be used: `versionCore` (the running tfjs-core's version by default)
 * is the one they were written for. Otherwise emits one process warning (once per process).
 */
export function internalsUsable(versionCore: string = tf.version_core): boolean {
  if (versionCore === PATCHES_TFJS_CORE_VERSION) return true;
  if (!warned) {
    warned = true;
    process.emitWarning(
      `@convkit/tfjs-backend-onednn: its uses of tfjs internals (training-time patches of ` +
        `tfjs-core, OneDnnAdam's native update, the output buffer pool) were written for ` +
        `tfjs-core ${PATCHES_TFJS_CORE_VERSION}, found ${versionCore}; running without them ` +
        `(same results, slower training). Install @tensorflow/tfjs-core@${PATCHES_TFJS_CORE_VERSION} ` +
        'for full speed.', { code: TFJS_VERSION_WARNING });
  }
  return false;
}

interface Accumulator { originalName: string; variable: tf.Variable }
/** AdamOptimizer's private state (tfjs-core 4.22's field names). */
export interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Accumulator[];
  accumulatedSecondMoment: Accumulator[];
}

/** The private state of an AdamOptimizer, or null when the gate is closed or it is not there. */
export function adamState(opt: tf.AdamOptimizer): AdamState | null {
  if (!internalsUsable()) return null;
  const s = opt as unknown as Partial<AdamState>;
  if (!(s.accBeta1 instanceof tf.Variable) || !(s.accBeta2 instanceof tf.Variable) ||
      !Array.isArray(s.accumulatedFirstMoment) || !Array.isArray(s.accumulatedSecondMoment)) return null;
  return s as AdamState;
}

/** Turns off MathBackendCPU's "install tfjs-node" notice (a private flag) when the gate is open. */
export function silenceFirstUseNotice(backend: object): void {
  if (internalsUsable() && 'firstUse' in backend) (backend as { firstUse: boolean }).firstUse = false;
}

/** Whether the output buffer pool may rely on tfjs-cpu's storage behaviour. */
export function bufferPoolUsable(): boolean {
  return internalsUsable();
}
