import { Transform } from '@tensorflow/tfjs-core';
import type { KernelConfig, TransformAttrs } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from '../backend.js';
import { withFallback } from '../kernel_utils.js';
import { FillMode, nat } from '../native.js';

/**
 * tf.image.transform (projective warp, one 8-number row per image) of a float32 NHWC batch.
 * Unlike tfjs-cpu's kernel (which stops after the first image, tfjs 4.22), every image is warped.
 */
export const transformConfig: KernelConfig = {
  kernelName: Transform,
  backendName: BACKEND_NAME,
  kernelFunc: withFallback(Transform, ({ inputs, backend, attrs }) => {
    const { image, transforms } = inputs;
    const { interpolation, fillMode, fillValue, outputShape } = attrs as unknown as TransformAttrs;
    const x = backend.f32(image);
    const t = backend.f32(transforms);
    const fill = FillMode[fillMode as keyof typeof FillMode];
    if (!x || !t || fill === undefined || image.shape.length !== 4 || image.shape.some((d) => d === 0)) return null;
    const [n, h, w, c] = image.shape;
    const [oh, ow] = outputShape ?? [h, w];
    if (!(oh > 0 && ow > 0)) return null;
    const y = backend.allocF32(n * oh * ow * c);
    nat().transform(x, image.shape, t, y, [oh, ow], interpolation === 'bilinear', fill, fillValue);
    return backend.makeF32([n, oh, ow, c], y);
  }),
};
