// Max pool gradient from the workspace OneDnnMaxPoolTraining returned (one
// oneDNN pooling backward; no forward re-run).
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { sizeOf, withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';
import { OneDnnMaxPoolGradWs } from './custom_names.js';
import type { OneDnnMaxPoolGradWsAttrs } from './custom_names.js';
import { poolGeom } from './pool_common.js';

export const oneDnnMaxPoolGradWsConfig: KernelConfig = {
  kernelName: OneDnnMaxPoolGradWs,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(OneDnnMaxPoolGradWs, ({ inputs: { dy, ws }, backend, attrs }) => {
    const a = attrs as unknown as OneDnnMaxPoolGradWsAttrs;
    const dyv = backend.f32(dy);
    const wsv = backend.data.get(ws.dataId)?.values;
    const pg = poolGeom(a.inputShape, a);
    if (!dyv || !(wsv instanceof Int32Array) || !pg || pg.info.outShape.some((d, i) => d !== dy.shape[i])) {
      return null; // no cpu kernel: throws
    }
    const { g } = pg;
    const dx = backend.allocF32(sizeOf(a.inputShape));
    nat().maxPoolBackwardWs(dyv, dy.shape, wsv, dx, a.inputShape, g.kernel, g.strides, g.padL, g.padR);
    return backend.makeF32(a.inputShape, dx);
  }),
};
