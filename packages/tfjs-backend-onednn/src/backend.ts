// The `onednn` backend: tfjs-cpu's storage (plain TypedArrays in a DataStorage)
// so every cpu kernel can run on it unchanged, while native kernels read and
// write the same arrays without copies.
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { BackendValues, DataId, DataType, TensorInfo } from '@tensorflow/tfjs-core';
import { bufferPoolUsable, silenceFirstUseNotice } from './tfjs_internals.js';

export const BACKEND_NAME = 'onednn';

/** Bookkeeping of a buffer made by allocF32, so it can be reused once its tensor is freed. */
interface Owned {
  arr: Float32Array;
  /** Live tensor registrations (write/move) of this buffer or of views of it. */
  uses: number;
  /** Seen outside the backend (readSync/read) or shared: never reused. */
  escaped: boolean;
}

/**
 * Total bytes of freed kernel outputs kept for reuse (CONVKIT_ONEDNN_POOL_MB,
 * default 1024; 0 disables the pool).
 */
function poolLimitBytes(): number {
  const env = process.env.CONVKIT_ONEDNN_POOL_MB;
  const mb = env === undefined || env === '' ? 1024 : Number(env);
  return Number.isFinite(mb) && mb >= 0 ? mb * 2 ** 20 : 1024 * 2 ** 20;
}

export class OneDnnBackend extends MathBackendCPU {
  // Freed native-kernel outputs by length, reused by allocF32. A training
  // step allocates the same activation and gradient sizes every time;
  // reusing them saves the allocation, its page faults, and the garbage
  // collections V8 starts when external (ArrayBuffer) memory grows (GTSRB
  // v1 24x24: 41 vs 5 mark-compacts over 23 steps, all 5 at start-up; CPU
  // per step 138 -> 109 ms).
  //
  // A buffer is only reused when nothing else can see it: tfjs-cpu hands out
  // the backing array itself from readSync (dataSync), and some cpu kernels
  // register views of an input's array (contiguous Slice) or the same array
  // under a second id. So a buffer is marked escaped, for good, when it is
  // read out or registered more than once or through a view.
  private readonly owned = new WeakMap<ArrayBuffer, Owned>();
  private readonly pool = new Map<number, Float32Array[]>();
  private pooledBytes = 0;
  // The pool relies on how tfjs-cpu's storage shares arrays (above): only behind the version gate.
  private poolLimit = bufferPoolUsable() ? poolLimitBytes() : 0;

  constructor() {
    super();
    // MathBackendCPU prints "install tfjs-node to speed things up" on first
    // use in Node; that advice does not apply to this backend.
    silenceFirstUseNotice(this);
  }

  /**
   * The values stored here for dataId, without moving data. DataStorage.get on an id it does
   * not hold asks the engine to move the data in, and the engine reads it through readSync of
   * the backend that owns it: for an id a user's kernel returned without writing it (tfjs-core's
   * "register a kernel and call it"), that is this backend again, and readSync -> get -> moveData
   * -> readSync overflowed the stack.
   */
  private peek(dataId: DataId): BackendValues | undefined {
    return this.data.has(dataId) ? this.data.get(dataId).values : undefined;
  }

  /** The typed array behind a numeric or bool tensor (any dtype's storage), or null. */
  typed(t: TensorInfo): Float32Array | Int32Array | Uint8Array | null {
    const v = this.peek(t.dataId);
    return v instanceof Float32Array || v instanceof Int32Array || v instanceof Uint8Array ? v : null;
  }

  /** The Float32Array behind a float32 tensor, or null if not available. */
  f32(t: TensorInfo): Float32Array | null {
    if (t.dtype !== 'float32') return null;
    const v = this.peek(t.dataId);
    return v instanceof Float32Array ? v : null;
  }

  /**
   * A Float32Array for a kernel output that the native code overwrites
   * entirely: uninitialised memory (Buffer.allocUnsafeSlow, its own
   * ArrayBuffer, never a shared pool slab), which saves the zero-filling pass
   * `new Float32Array(n)` costs on every activation-sized output.
   */
  allocF32(n: number): Float32Array {
    const free = this.pool.get(n);
    if (free && free.length > 0) {
      const arr = free.pop() as Float32Array;
      this.pooledBytes -= arr.byteLength;
      this.owned.set(arr.buffer as ArrayBuffer, { arr, uses: 0, escaped: false });
      return arr;
    }
    const buf = Buffer.allocUnsafeSlow(n * 4);
    const arr = new Float32Array(buf.buffer, buf.byteOffset, n);
    if (this.poolLimit > 0) this.owned.set(arr.buffer as ArrayBuffer, { arr, uses: 0, escaped: false });
    return arr;
  }

  private track(values: BackendValues | null | undefined): void {
    if (!values || !ArrayBuffer.isView(values)) return;
    const o = this.owned.get(values.buffer as ArrayBuffer);
    if (!o) return;
    if (values !== o.arr || o.uses > 0) o.escaped = true;
    o.uses++;
  }

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    this.track(values);
    return super.write(values, shape, dtype);
  }

  override move(dataId: DataId, values: BackendValues, shape: number[], dtype: DataType,
    refCount: number): void {
    this.track(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override readSync(dataId: DataId): BackendValues {
    const values = this.peek(dataId);
    if (values && ArrayBuffer.isView(values)) {
      const o = this.owned.get(values.buffer as ArrayBuffer);
      if (o) o.escaped = true;
    }
    return super.readSync(dataId);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.peek(dataId);
    const freed = super.disposeData(dataId, force);
    if (freed && values && ArrayBuffer.isView(values) && !this.data.has(dataId)) {
      const o = this.owned.get(values.buffer as ArrayBuffer);
      if (o && --o.uses === 0 && !o.escaped && values === o.arr &&
          this.pooledBytes + o.arr.byteLength <= this.poolLimit) {
        this.owned.delete(values.buffer as ArrayBuffer);
        let list = this.pool.get(o.arr.length);
        if (!list) this.pool.set(o.arr.length, list = []);
        list.push(o.arr);
        this.pooledBytes += o.arr.byteLength;
      }
    }
    return freed;
  }

  /** Bytes of freed buffers currently kept for reuse. */
  pooledByteCount(): number {
    return this.pooledBytes;
  }

  /** Drops the buffers kept for reuse (they are then garbage-collected). */
  releasePool(): void {
    this.pool.clear();
    this.pooledBytes = 0;
  }

  /**
   * Sets the most bytes kept for reuse (0 turns the pool off); drops what is kept now. The pool
   * stays off when the tfjs version gate is closed.
   */
  setPoolLimitBytes(bytes: number): void {
    this.releasePool();
    this.poolLimit = bufferPoolUsable() ? Math.max(0, bytes) : 0;
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
