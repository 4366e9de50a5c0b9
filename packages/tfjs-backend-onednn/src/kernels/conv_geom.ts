// Turns tfjs-core's Conv2DInfo (from backend_util) into the geometry the
// native conv/pool functions take, or null when oneDNN's size formula would
// disagree with tfjs's (then the caller falls back to tfjs-cpu).
import type { backend_util } from '@tensorflow/tfjs-core';
import { dimAgrees } from '../kernel_utils.js';

export interface NativeGeom {
  strides: number[];
  dilations: number[];
  padL: number[];
  padR: number[];
  kernel: number[];
}

export function nativeGeom(info: backend_util.Conv2DInfo): NativeGeom | null {
  if (info.dataFormat !== 'channelsLast') return null;
  const p = info.padInfo;
  if (info.batchSize === 0 || info.outHeight <= 0 || info.outWidth <= 0 ||
      info.inChannels === 0 || info.outChannels === 0) return null;
  if (!dimAgrees(info.inHeight, info.effectiveFilterHeight, p.top, p.bottom, info.strideHeight, info.outHeight) ||
      !dimAgrees(info.inWidth, info.effectiveFilterWidth, p.left, p.right, info.strideWidth, info.outWidth)) {
    return null;
  }
  return {
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    padL: [p.top, p.left],
    padR: [p.bottom, p.right],
    kernel: [info.filterHeight, info.filterWidth],
  };
}
