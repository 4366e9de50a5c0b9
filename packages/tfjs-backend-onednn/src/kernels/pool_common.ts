// Pool geometry shared by the four pooling kernels: tfjs-core computes it,
// we only check that oneDNN can express it (padding smaller than the window).
import { backend_util } from '@tensorflow/tfjs-core';
import type { NativeGeom } from './conv_geom.js';
import { nativeGeom } from './conv_geom.js';

export interface PoolAttrsLike {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function poolGeom(xShape: number[], attrs: PoolAttrsLike):
  { info: backend_util.Conv2DInfo; g: NativeGeom } | null {
  if (xShape.length !== 4) return null;
  const info = backend_util.computePool2DInfo(xShape as [number, number, number, number],
    attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const g = nativeGeom(info);
  if (!g) return null;
  const [kh, kw] = g.kernel;
  if (g.padL[0] >= kh || g.padR[0] >= kh || g.padL[1] >= kw || g.padR[1] >= kw) return null;
  return { info, g };
}
