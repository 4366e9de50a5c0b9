// The backend reuses freed native-kernel outputs (OneDnnBackend.allocF32):
// reuse must happen, and must never touch an array that is still visible.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rand, tf } from './helpers.js';
import { OneDnnBackend } from '../src/backend.js';

async function onednn(): Promise<OneDnnBackend> {
  await tf.setBackend('onednn');
  const b = tf.backend();
  assert.ok(b instanceof OneDnnBackend);
  return b;
}
const input = (n: number) => tf.tensor(rand([n]).data);

describe('buffer pool of the onednn backend', () => {
  it('a freed kernel output is reused for the next output of the same size', async () => {
    const b = await onednn();
    b.releasePool();
    const x = input(4096);
    const y = tf.relu(x);
    const yValues = b.f32(y);
    y.dispose();
    assert.equal(b.pooledByteCount(), 4096 * 4);
    const z = tf.relu(x);
    assert.equal(b.f32(z), yValues, 'same Float32Array handed out again');
    assert.equal(b.pooledByteCount(), 0);
    assert.deepEqual(Array.from(z.dataSync()), Array.from(x.dataSync()).map((v) => Math.max(v, 0)));
    tf.dispose([x, z]);
  });

  // Each read-out tensor is disposed before other outputs of its size are made: only the
  // escape mark (OneDnnBackend.readSync) then keeps its array out of the pool.
  for (const how of ['dataSync()', 'data()'] as const) {
    it(`an array returned by ${how} is never reused after its tensor is disposed`, async () => {
      const b = await onednn();
      b.releasePool();
      const x = input(1000);
      const y = tf.relu(x);
      const v = how === 'dataSync()' ? y.dataSync() : await y.data();
      assert.equal(v, b.f32(y), 'the backing array itself was handed out');
      const vCopy = Float32Array.from(v);
      y.dispose();
      assert.equal(b.pooledByteCount(), 0, 'read-out buffer not pooled');
      // Outputs of the same length, which would take a pooled buffer.
      const others = [tf.neg(x), tf.relu(tf.neg(x)), tf.abs(x)];
      assert.deepEqual(v, vCopy);
      tf.dispose([x, ...others]);
    });
  }

  it('a view of a freed output (cpu Slice) keeps its values', async () => {
    const b = await onednn();
    b.releasePool();
    const x = input(2048);
    const y = tf.relu(x);
    // tfjs-cpu's contiguous slice registers a subarray of y's buffer.
    const s = tf.slice(y, [1024], [1024]);
    const expected = Array.from(y.dataSync()).slice(1024);
    // (dataSync above escaped y already; do the same without reading y.)
    const y2 = tf.relu(tf.neg(x));
    const s2 = tf.slice(y2, [0], [1024]);
    y2.dispose();
    assert.equal(b.pooledByteCount(), 0, 'buffer with a live view not pooled');
    const filler = [tf.relu(x), tf.relu(x), tf.neg(x)];
    assert.deepEqual(Array.from(s.dataSync()), expected);
    assert.deepEqual(Array.from(s2.dataSync()),
      Array.from(x.dataSync()).slice(0, 1024).map((v) => Math.max(-v, 0)));
    tf.dispose([x, y, s, s2, ...filler]);
  });

  it('training gives the same weights with the pool off', async () => {
    await onednn();
    const run = () => tf.tidy(() => {
      const w = tf.variable(tf.tensor(rand([64, 32], -1, 1, 7).data, [64, 32]));
      const xs = tf.tensor(rand([16, 64], -1, 1, 8).data, [16, 64]);
      const opt = tf.train.adam(0.01);
      for (let i = 0; i < 20; i++) {
        opt.minimize(() => tf.mean(tf.square(tf.relu(tf.matMul(xs, w)))) as tf.Scalar);
      }
      const out = Array.from(w.dataSync());
      w.dispose();
      return out;
    });
    const backend = tf.backend() as OneDnnBackend;
    const pooled = run();
    backend.setPoolLimitBytes(0);
    try {
      assert.deepEqual(run(), pooled);
    } finally {
      backend.setPoolLimitBytes(1024 * 2 ** 20);
    }
  });
});
