// The `onednn` backend: tfjs-cpu's storage (plain TypedArrays in a DataStorage)
// so every cpu kernel can run on it unchanged, while native kernels read and
// write the same arrays without copies.
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';

export const BACKEND_NAME = 'onednn';

export class OneDnnBackend extends MathBackendCPU {
  constructor() {
    super();
    // MathBackendCPU prints "install tfjs-node to speed things up" on first
    // use in Node; that advice does not apply to this backend.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** The Float32Array behind a float32 tensor, or null if not available. */
  f32(t: TensorInfo): Float32Array | null {
    if (t.dtype !== 'float32') return null;
    const v = this.data.get(t.dataId)?.values;
    return v instanceof Float32Array ? v : null;
  }

  /**
   * A Float32Array for a kernel output that the native code overwrites
   * entirely: uninitialised memory (Buffer.allocUnsafeSlow, its own
   * ArrayBuffer, never a shared pool slab), which saves the zero-filling pass
   * `new Float32Array(n)` costs on every activation-sized output.
   */
  allocF32(n: number): Float32Array {
    const buf = Buffer.allocUnsafeSlow(n * 4);
    return new Float32Array(buf.buffer, buf.byteOffset, n);
  }

  /** Wraps a freshly written Float32Array as a float32 tensor. */
  makeF32(shape: number[], values: Float32Array): TensorInfo {
    return this.makeTensorInfo(shape, 'float32', values);
  }

  /** How many tensors share this buffer (1 = only its owner). */
  refs(t: TensorInfo): number {
    return this.refCount(t.dataId);
  }
}
