// Bilinear sampling of an NHWC image at normalised grid points (PyTorch's grid_sample,
// align_corners false, zeros padding; native/gridsample.cc) and its gradient with respect to
// the image and the grid: one native call each.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import type { OneDnnBackend } from '../backend.js';
import { withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';
import { OneDnnGridSample, OneDnnGridSampleGrad } from './custom_names.js';

interface Checked { dims: [number, number, number, number, number, number]; xv: Float32Array; gv: Float32Array }

/** x's and grid's values and [B, H, W, C, Ho, Wo], or a RangeError naming the kernel. */
function checked(kernel: string, backend: OneDnnBackend, x: TensorInfo | undefined, grid: TensorInfo | undefined): Checked {
  const xv = x ? backend.f32(x) : null, gv = grid ? backend.f32(grid) : null;
  if (!x || !xv || x.shape.length !== 4 || x.shape.some((d) => d < 1)) {
    throw new RangeError(`${kernel}: x must be a non-empty float32 [B, H, W, C] tensor (got ${x?.dtype} [${x?.shape}])`);
  }
  const [B, H, W, C] = x.shape;
  if (!grid || !gv || grid.shape.length !== 4 || grid.shape[0] !== B || grid.shape[3] !== 2 ||
    grid.shape[1] < 1 || grid.shape[2] < 1) {
    throw new RangeError(`${kernel}: grid must be float32 [${B}, Ho, Wo, 2] (got ${grid?.dtype} [${grid?.shape}])`);
  }
  return { dims: [B, H, W, C, grid.shape[1], grid.shape[2]], xv, gv };
}

export const oneDnnGridSampleConfig: KernelConfig = {
  kernelName: OneDnnGridSample,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(OneDnnGridSample, ({ inputs, backend }) => {
    const { dims, xv, gv } = checked(OneDnnGridSample, backend, inputs.x, inputs.grid);
    const [B, , , C, Ho, Wo] = dims;
    const y = backend.allocF32(B * Ho * Wo * C);
    nat().gridSampleForward(xv, gv, y, ...dims);
    return backend.makeF32([B, Ho, Wo, C], y);
  }),
};

export const oneDnnGridSampleGradConfig: KernelConfig = {
  kernelName: OneDnnGridSampleGrad,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(OneDnnGridSampleGrad, ({ inputs, backend }) => {
    const { x, grid, dy } = inputs;
    const { dims, xv, gv } = checked(OneDnnGridSampleGrad, backend, x, grid);
    const [B, , , C, Ho, Wo] = dims;
    const dyv = dy ? backend.f32(dy) : null;
    if (!dyv || dy.shape.join() !== [B, Ho, Wo, C].join()) {
      throw new RangeError(`${OneDnnGridSampleGrad}: dy must be float32 [${[B, Ho, Wo, C]}] (got ${dy?.dtype} [${dy?.shape}])`);
    }
    const dx = backend.allocF32(xv.length), dgrid = backend.allocF32(gv.length);
    nat().gridSampleBackward(xv, gv, dyv, dx, dgrid, ...dims);
    return [backend.makeF32(x.shape, dx), backend.makeF32(grid.shape, dgrid)];
  }),
};
