// The inference plan (native/plan.cc, src/plan.ts) against the same graph computed with tfjs ops on tfjs-cpu:
// every step kind and fusion (post-ops, batch norm folded, residual sum in place and copied, Winograd with its
// post-op loop at batch 64, the direct kernels at batch 2, flatten dropped before a dense layer and kept before
// a softmax), the per-batch-size cache, and bad inputs (RangeError / Error, never a crash).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rand, tf } from './helpers.js';
import { addon } from '../src/native.js';
import { InferencePlan, fuseGraph, type PlanActivation, type PlanGraph } from '../src/plan.js';
import { codes } from '../src/native.js';

const r = (n: number, lo = -0.3, hi = 0.3) => rand([n], lo, hi).data;

/** Runs graph g with tfjs ops (explicit pads; average pooling counting only the pixels inside, as tfjs's 'same'). */
function reference(g: PlanGraph, x: tf.Tensor): Float32Array {
  const act = (v: tf.Tensor, a: PlanActivation): tf.Tensor => {
    switch (a) {
      case 'linear': return v;
      case 'relu': return tf.relu(v);
      case 'relu6': return tf.relu6(v);
      case 'elu': return tf.elu(v);
      case 'sigmoid': return tf.sigmoid(v);
      case 'tanh': return tf.tanh(v);
      case 'softmax': return tf.softmax(v);
    }
  };
  return tf.tidy(() => {
    const t: tf.Tensor[] = [x];
    for (const n of g.nodes) {
      switch (n.kind) {
        case 'conv2d': {
          const p = n.pads;
          const xp = tf.pad(t[n.input] as tf.Tensor4D, [[0, 0], [p[0], p[2]], [p[1], p[3]], [0, 0]]);
          let y: tf.Tensor = tf.conv2d(xp, tf.tensor4d(n.filter, n.filterShape), n.strides, 'valid', 'NHWC', n.dilations);
          if (n.bias) y = tf.add(y, tf.tensor1d(n.bias));
          t[n.output] = act(y, n.activation);
          break;
        }
        case 'dense': {
          const v = t[n.input];
          let y: tf.Tensor = tf.matMul(tf.reshape(v, [v.shape[0], -1]) as tf.Tensor2D, tf.tensor2d(n.kernel, n.kernelShape));
          if (n.bias) y = tf.add(y, tf.tensor1d(n.bias));
          t[n.output] = act(y, n.activation);
          break;
        }
        case 'scaleShift':
          t[n.output] = tf.add(tf.mul(t[n.input], tf.tensor1d(n.scale)), tf.tensor1d(n.shift));
          break;
        case 'pool': {
          const v = t[n.input] as tf.Tensor4D;
          const pad = n.pads.some((p) => p > 0) ? 'same' : 'valid';
          t[n.output] = n.type === 'max' ? tf.maxPool(v, n.size, n.strides, pad) : tf.avgPool(v, n.size, n.strides, pad);
          break;
        }
        case 'add':
          t[n.output] = tf.addN(n.inputs.map((i) => t[i]));
          break;
        case 'flatten':
          t[n.output] = tf.reshape(t[n.input], [t[n.input].shape[0], -1]);
          break;
        case 'activation':
          t[n.output] = act(t[n.input], n.activation);
          break;
      }
    }
    return Float32Array.from(t[g.output].dataSync() as Float32Array);
  });
}

const C = 16;
/** Every step kind: see the comments for the fusion each node exercises. */
function bigGraph(): PlanGraph {
  const sh = [6, 6, C];
  return {
    tensors: [sh, sh, sh, sh, sh, sh, sh, sh, [3, 3, C], [3, 3, C], [2, 2, C], [4 * C], [10], [5], [5], [5]].map((shape) => ({ shape })),
    nodes: [
      // conv + bias + relu, then batch norm as binary post-ops (Winograd at batch 64: the post-op loop)
      { kind: 'conv2d', input: 0, output: 1, filter: r(9 * C * C), filterShape: [3, 3, C, C], bias: r(C), strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], activation: 'relu' },
      { kind: 'scaleShift', input: 1, output: 2, scale: r(C, 0.5, 1.5), shift: r(C) },
      // conv without bias + the residual t2, which is read again below (copied into the output, not in place); tanh
      // on its own (t4 has two readers)
      { kind: 'conv2d', input: 2, output: 3, filter: r(9 * C * C), filterShape: [3, 3, C, C], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], activation: 'linear' },
      { kind: 'add', inputs: [2, 3], output: 4 },
      { kind: 'activation', input: 4, output: 5, activation: 'tanh' },
      // a three-way sum and a scale-shift on their own
      { kind: 'add', inputs: [2, 5, 4], output: 6 },
      { kind: 'scaleShift', input: 6, output: 7, scale: r(C, 0.5, 1.5), shift: r(C) },
      // average pooling with padding (counting only the pixels inside), relu6 alone, max pooling
      { kind: 'pool', type: 'avg', input: 7, output: 8, size: [3, 3], strides: [2, 2], pads: [0, 0, 1, 1] },
      { kind: 'activation', input: 8, output: 9, activation: 'relu6' },
      { kind: 'pool', type: 'max', input: 9, output: 10, size: [2, 2], strides: [1, 1], pads: [0, 0, 0, 0] },
      // flatten read only by a dense layer (dropped), elu; dense + batch norm folded into its weights; sigmoid
      { kind: 'flatten', input: 10, output: 11 },
      { kind: 'dense', input: 11, output: 12, kernel: r(4 * C * 10), kernelShape: [4 * C, 10], bias: r(10), activation: 'elu' },
      { kind: 'dense', input: 12, output: 13, kernel: r(50), kernelShape: [10, 5], bias: r(5), activation: 'linear' },
      { kind: 'scaleShift', input: 13, output: 14, scale: r(5, 0.5, 1.5), shift: r(5) },
      { kind: 'activation', input: 14, output: 15, activation: 'sigmoid' },
    ],
    output: 15,
  };
}

/** A residual read nowhere else (summed in place), a flatten kept before a softmax over the features. */
function smallGraph(): PlanGraph {
  const sh = [4, 4, C];
  return {
    tensors: [sh, sh, sh, sh, [2, 2, C], [4 * C], [4 * C]].map((shape) => ({ shape })),
    nodes: [
      { kind: 'conv2d', input: 0, output: 1, filter: r(9 * C * C), filterShape: [3, 3, C, C], bias: r(C), strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], activation: 'relu' },
      { kind: 'conv2d', input: 1, output: 2, filter: r(9 * C * C), filterShape: [3, 3, C, C], bias: r(C), strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], activation: 'relu' },
      { kind: 'add', inputs: [1, 2], output: 3 },
      { kind: 'pool', type: 'max', input: 3, output: 4, size: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] },
      { kind: 'flatten', input: 4, output: 5 },
      { kind: 'activation', input: 5, output: 6, activation: 'softmax' },
    ],
    output: 6,
  };
}

async function check(g: PlanGraph, batches: number[], what: string): Promise<void> {
  await tf.setBackend('cpu');
  const plan = InferencePlan.create(g);
  try {
    const shape = g.tensors[0].shape;
    for (const n of batches) {
      const x = rand([n, ...shape], 0, 1);
      const want = reference(g, tf.tensor(x.data, [n, ...shape]));
      const got = plan.run(x.data, n);
      assert.equal(got.length, want.length);
      let d = 0;
      for (let i = 0; i < got.length; i++) d = Math.max(d, Math.abs(got[i] - want[i]));
      assert.ok(d < 1e-5, `${what}, batch ${n}: max difference ${d}`);
    }
    // Where oneDNN has a Winograd kernel, the largest batch ran it (the post-op loop included) and the smallest did not.
    if (addon!.convWinogradAvailable()) {
      assert.ok(plan.implementations(Math.max(...batches)).some((i) => /wino.*loop/.test(i)), `${what}: no Winograd kernel at the largest batch`);
      assert.ok(!plan.implementations(Math.min(...batches)).some((i) => /wino/.test(i)), `${what}: a Winograd kernel at the smallest batch`);
    }
  } finally {
    plan.dispose();
  }
}

describe('inference plan', () => {
  it('fuses as described (post-ops, sums, folded batch norm, dropped flatten)', () => {
    const spec = fuseGraph(bigGraph(), codes);
    const S = codes.planStep, P = codes.planPost;
    // tanh is read by two nodes: not fused into the convolution before it.
    assert.deepEqual(spec.steps.map((s) => s.op), [S.conv, S.conv, S.eltwise, S.sum, S.scaleShift, S.avgPool, S.eltwise, S.maxPool, S.dense, S.dense]);
    assert.deepEqual(spec.steps[0].post!.map((p) => p.kind), [P.eltwise, P.mul, P.add]);
    assert.deepEqual(spec.steps[1].post!.map((p) => [p.kind, p.tensor]), [[P.sum, 2]]);
    assert.equal(spec.steps[8].inputs[0], 10, 'the dense layer reads the pooled image');
    assert.equal(spec.steps[9].post!.length, 1, 'batch norm folded, sigmoid as a post-op');
    assert.deepEqual(fuseGraph(smallGraph(), codes).steps.map((s) => s.op), [S.conv, S.conv, S.maxPool, S.flatten, S.softmax]);
  });

  it('equals the graph computed with tfjs ops, at batch sizes using the direct and the Winograd kernels, run twice each', async () => {
    await check(bigGraph(), [2, 64, 2, 64, 1], 'every step kind');
    await check(smallGraph(), [3, 128, 3], 'in-place residual, flatten + softmax');
  });

  it('refuses bad inputs with an error naming the binding, and use after dispose', () => {
    const plan = InferencePlan.create(smallGraph());
    const inSize = 4 * 4 * C, outSize = 4 * C;
    assert.throws(() => plan.run(new Float32Array(inSize * 2 - 1), 2), /^RangeError: onednn planRun: x has 511 elements, expected 512/);
    assert.throws(() => plan.run(new Float32Array(inSize), 1, new Float32Array(outSize - 1)), /^RangeError: onednn planRun: y has/);
    assert.throws(() => plan.run(new Float32Array(0), 0), /^RangeError: onednn planRun: n must be a positive batch size/);
    assert.throws(() => addon!.planRun(-5, new Float32Array(inSize), 1, new Float32Array(outSize)), /plan -5 does not exist/);
    plan.dispose();
    plan.dispose();
    assert.throws(() => plan.run(new Float32Array(inSize), 1), /used after dispose/);

    const spec = fuseGraph(smallGraph(), codes);
    const bad = (mutate: (s: typeof spec) => void, re: RegExp) => {
      const s = structuredClone(spec);
      mutate(s);
      assert.throws(() => addon!.planCreate(s), re);
    };
    bad((s) => { s.steps[0].weights = s.steps[0].weights!.subarray(1); }, /^RangeError: onednn planCreate: steps\[0\]\.weights has 2303 elements, expected 2304/);
    bad((s) => { s.steps[0].bias = new Float32Array(3); }, /steps\[0\]\.bias has 3 elements/);
    bad((s) => { s.steps[1].inputs = [5]; }, /steps\[1\] reads tensor 5 before it is computed/);
    bad((s) => { s.steps[0].op = 99; }, /steps\[0\]\.op 99 is unknown/);
    bad((s) => { s.tensors[3] = [4, 4, 8]; }, /steps\[1\].weightsShape must be/);
    bad((s) => { s.steps[1].post![1].tensor = 9; }, /steps\[1\].post\[1\].tensor = 9 is not a tensor/);
    bad((s) => { s.steps[2].kernel = [0, 2]; }, /kernel must be 2 integers >= 1/);
    bad((s) => { s.output = 1; }, /the output tensor must be \[classes\]/);
  });
});
