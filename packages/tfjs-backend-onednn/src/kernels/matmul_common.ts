// Shared by BatchMatMul and _FusedMatMul: folds the batch dims and calls the
// native matmul. Batch broadcasting is supported when one side has a single
// batch; other broadcasts go to tfjs-cpu.
import { backend_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { OneDnnBackend } from '../backend.js';
import { sizeOf } from '../kernel_utils.js';
import { nat } from '../native.js';

export function nativeMatMul(backend: OneDnnBackend, a: TensorInfo, b: TensorInfo,
  transposeA: boolean, transposeB: boolean, bias: Float32Array | null, act: number,
  alpha: number): TensorInfo | null {
  const av = backend.f32(a), bv = backend.f32(b);
  const ra = a.shape.length, rb = b.shape.length;
  if (!av || !bv || ra < 2 || rb < 2) return null;
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  let outer: number[];
  try {
    outer = backend_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return null; // tfjs-cpu reports the error
  }
  const batch = sizeOf(outer), batchA = sizeOf(outerA), batchB = sizeOf(outerB);
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return null;
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const K2 = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (K !== K2 || batch * M * N * K === 0) return null;
  if (bias && bias.length !== N) return null;
  const y = backend.allocF32(batch * M * N);
  nat().matmulForward(av, [batchA, a.shape[ra - 2], a.shape[ra - 1]], bv,
    [batchB, b.shape[rb - 2], b.shape[rb - 1]], bias, y, transposeA, transposeB, act, alpha);
  return backend.makeF32([...outer, M, N], y);
}
