// Training-time max pool: oneDNN's forward_training pass writes the output
// and its argmax workspace (one byte per output element for windows of up
// to 256 taps) in the same pass. The workspace is returned as a second,
// int32 output (ceil(bytes / 4) elements) that the gradient keeps, so the
// backward pass (OneDnnMaxPoolGradWs) does not re-run the forward as
// tfjs's MaxPoolGrad kernel (which only receives x and y) has to.
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { sizeOf, withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';
import { OneDnnMaxPoolTraining } from './custom_names.js';
import type { OneDnnMaxPoolAttrs } from './custom_names.js';
import { poolGeom } from './pool_common.js';

/** An uninitialised Int32Array large enough for `bytes` bytes. */
export function allocWorkspace(bytes: number): Int32Array {
  const n = Math.ceil(bytes / 4);
  const buf = Buffer.allocUnsafeSlow(n * 4);
  return new Int32Array(buf.buffer, buf.byteOffset, n);
}

export const oneDnnMaxPoolTrainingConfig: KernelConfig = {
  kernelName: OneDnnMaxPoolTraining,
  backendName: BACKEND_NAME,
  // Only called by patches/max_pool.ts, which checks the inputs first (there
  // is no cpu kernel to fall back to: an unsupported call throws).
  kernelFunc: withFallback(OneDnnMaxPoolTraining, ({ inputs: { x }, backend, attrs }) => {
    const xv = backend.f32(x);
    const pg = xv && poolGeom(x.shape, attrs as unknown as OneDnnMaxPoolAttrs);
    if (!xv || !pg) return null;
    const { info: { outShape }, g } = pg;
    const ws = allocWorkspace(nat().maxPoolWorkspaceBytes(x.shape, outShape, g.kernel, g.strides, g.padL, g.padR));
    const y = backend.allocF32(sizeOf(outShape));
    nat().maxPoolForwardTraining(xv, x.shape, y, outShape, ws, g.kernel, g.strides, g.padL, g.padR);
    return [backend.makeF32(outShape, y), backend.makeTensorInfo([ws.length], 'int32', ws)];
  }),
};
