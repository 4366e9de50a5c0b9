// Kernels a user registers for `onednn` itself: their outputs go through the backend's storage
// like any other (before the fix, disposing an output the kernel returned without writing it
// overflowed the stack: readSync -> DataStorage.get -> Engine.moveData -> readSync ...).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKEND_NAME, type OneDnnBackend } from '../src/index.js';
import { tf } from './helpers.js';

test('a kernel registered for onednn runs, and its outputs can be read and disposed', async () => {
  await tf.setBackend(BACKEND_NAME);
  const before = tf.memory().numTensors;
  tf.registerKernel({
    kernelName: 'UserDoubleIt', backendName: BACKEND_NAME,
    kernelFunc: ({ inputs, backend }) => {
      const b = backend as OneDnnBackend;
      const x = inputs.x as tf.TensorInfo;
      const xs = b.readSync(x.dataId) as Float32Array;
      return b.makeTensorInfo(x.shape, 'float32', xs.map((v) => 2 * v));
    },
  });
  tf.registerKernel({
    kernelName: 'UserOpaque', backendName: BACKEND_NAME,
    kernelFunc: () => ({ dtype: 'float32', shape: [3, 3], dataId: {} }),
  });
  try {
    const x = tf.tensor([1, 2, NaN]);
    const y = tf.engine().runKernel('UserDoubleIt', { x }, {}) as tf.Tensor;
    assert.deepEqual(Array.from(y.dataSync()), [2, 4, NaN]);
    const opaque = tf.engine().runKernel('UserOpaque', {}, {}) as tf.Tensor;
    assert.deepEqual(opaque.shape, [3, 3]);
    tf.dispose([x, y, opaque]);
    // makeTensorFromDataId on data written to the backend directly.
    const id = tf.backend().write(new Float32Array([5, 6]), [2], 'float32');
    const t = tf.engine().makeTensorFromDataId(id, [2], 'float32');
    assert.deepEqual(Array.from(t.dataSync()), [5, 6]);
    t.dispose();
    assert.equal(tf.memory().numTensors, before);
  } finally {
    tf.unregisterKernel('UserDoubleIt', BACKEND_NAME);
    tf.unregisterKernel('UserOpaque', BACKEND_NAME);
  }
});
