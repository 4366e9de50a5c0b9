import { Tile } from '@tensorflow/tfjs-core';
import type { KernelConfig, TileAttrs } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { sizeOf, withFallback } from '../kernel_utils.js';
import { nat } from '../native.js';

/** Tile of a float32 tensor (used by the BatchNorm gradient); other dtypes and empty tensors go to tfjs-cpu. */
export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(Tile, ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    const reps = (attrs as unknown as TileAttrs).reps;
    const xv = backend.f32(x);
    if (!xv || x.shape.length === 0 || reps.length !== x.shape.length) return null;
    const outShape = x.shape.map((d, i) => d * reps[i]);
    const n = sizeOf(outShape);
    if (n === 0 || reps.some((r) => !Number.isInteger(r) || r <= 0)) return null;
    const y = backend.allocF32(n);
    nat().tile(xv, x.shape, reps, y);
    return backend.makeF32(outShape, y);
  }),
};
