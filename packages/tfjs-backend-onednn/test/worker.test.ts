// The backend in node:worker_threads: a worker loads the addon (a second Node-API instance of
// it) and runs native kernels while the main thread runs them too. The addon serialises native
// calls with one lock (its primitive caches and oneDNN engine/stream are process-wide), so both
// threads get the same results as tfjs-cpu. The worker runs the compiled package (dist/).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { rand, runOn, tf } from './helpers.js';

const dist = new URL('../dist/index.js', import.meta.url).href;

// Conv + relu, matMul + softmax, max pool and a reduction: each kernel family's primitive cache.
const work = `
  const tf = await import('@tensorflow/tfjs-core');
  const b = await import(${JSON.stringify(dist)});
  const { parentPort, workerData } = await import('node:worker_threads');
  if (!b.isAvailable()) throw b.loadError;
  const run = async (name) => {
    await tf.setBackend(name);
    b.resetKernelStats();
    const out = tf.tidy(() => {
      const x = tf.tensor4d(workerData.x, [2, 9, 9, 3]), w = tf.tensor4d(workerData.w, [3, 3, 3, 8]);
      let s = tf.zeros([2, 10]);
      for (let i = 0; i < 20; i++) {
        const y = tf.maxPool(tf.relu(tf.conv2d(x, w, 1, 'same')), 2, 2, 'valid');
        s = tf.add(s, tf.softmax(tf.matMul(tf.reshape(y, [2, 128]), tf.ones([128, 10]))));
      }
      return tf.concat([tf.reshape(s, [-1]), tf.reshape(tf.sum(x, [1, 2]), [-1])]);
    });
    return { data: Array.from(out.dataSync()), native: b.kernelStats().native };
  };
  parentPort.postMessage({ onednn: await run('onednn'), cpu: await run('cpu') });
`;

test('a worker thread loads the backend and runs native kernels while the main thread does', async () => {
  const x = rand([2, 9, 9, 3]), w = rand([3, 3, 3, 8]);
  const worker = new Worker(`(async () => { ${work} })().catch((e) => { throw e; });`,
    { eval: true, workerData: { x: x.data, w: w.data }, stdout: false });
  const done = new Promise<{ onednn: { data: number[]; native: Record<string, number> }; cpu: { data: number[] } }>(
    (resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before answering`)));
    });
  // Meanwhile the main thread runs the same kernels natively, until the worker answers.
  let answered = false;
  void done.then(() => { answered = true; }, () => { answered = true; });
  const a = rand([1, 16, 16, 4]), f = rand([3, 3, 4, 4]);
  let mainRuns = 0;
  const want = await runOn('cpu', [a, f], (p, q) => tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, 1, 'same'));
  while (!answered) {
    const got = await runOn('onednn', [a, f], (p, q) => tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, 1, 'same'));
    for (let i = 0; i < got[0].data.length; i++) assert.ok(Math.abs(got[0].data[i] - want[0].data[i]) < 1e-4);
    mainRuns++;
    await new Promise((r) => setImmediate(r));
  }
  const r = await done;
  await worker.terminate();
  assert.ok(mainRuns > 0);
  for (const k of ['Conv2D', 'MaxPool', 'Relu', 'Softmax', 'BatchMatMul', 'Sum']) {
    assert.ok((r.onednn.native[k] ?? 0) > 0, `${k} ran natively in the worker (${JSON.stringify(r.onednn.native)})`);
  }
  assert.equal(r.onednn.data.length, r.cpu.data.length);
  r.onednn.data.forEach((v, i) => assert.ok(Math.abs(v - r.cpu.data[i]) <= 1e-4 * Math.max(1, Math.abs(r.cpu.data[i])),
    `[${i}] worker onednn ${v} vs cpu ${r.cpu.data[i]}`));
});
