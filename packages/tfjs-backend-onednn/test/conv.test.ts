import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertSame, rand, runOn, tf } from './helpers.js';
import { kernelStats, resetKernelStats } from '../src/index.js';
import { addon, DEFAULT_CONV_PLAN_POLICY } from '../src/native.js';

interface Case { n: number; h: number; w: number; ci: number; co: number; k: [number, number];
  s: number; pad: 'same' | 'valid'; d: number }

const cases: Case[] = [
  { n: 1, h: 7, w: 7, ci: 1, co: 1, k: [3, 3], s: 1, pad: 'same', d: 1 },
  { n: 1, h: 9, w: 11, ci: 3, co: 5, k: [3, 3], s: 2, pad: 'same', d: 1 },
  { n: 2, h: 13, w: 9, ci: 3, co: 7, k: [5, 3], s: 1, pad: 'valid', d: 1 },
  { n: 3, h: 15, w: 15, ci: 7, co: 8, k: [3, 3], s: 2, pad: 'valid', d: 1 },
  { n: 2, h: 11, w: 13, ci: 5, co: 3, k: [3, 3], s: 1, pad: 'same', d: 2 },
  { n: 1, h: 12, w: 10, ci: 2, co: 4, k: [2, 2], s: 2, pad: 'same', d: 1 },
  { n: 2, h: 28, w: 28, ci: 1, co: 8, k: [3, 3], s: 1, pad: 'valid', d: 1 },
  { n: 1, h: 9, w: 9, ci: 3, co: 3, k: [1, 1], s: 1, pad: 'valid', d: 1 },
  { n: 1, h: 10, w: 9, ci: 5, co: 6, k: [3, 3], s: 1, pad: 'valid', d: 2 },
];

const name = (c: Case) => `n${c.n} ${c.h}x${c.w}x${c.ci}->${c.co} k${c.k} s${c.s} ${c.pad} d${c.d}`;

describe('Conv2D family vs tfjs-cpu', () => {
  // Each geometry runs under every plan (filter as HWIO or in oneDNN's
  // layout; bias gradient inside the primitive or reduced separately): the
  // default policy fixes one, so force each in turn; policy 0 (`timed`,
  // CONVKIT_ONEDNN_CONV_PLAN=timed) times them and keeps the fastest.
  for (const policy of [0, 1, 2, 3, 4] as const) for (const c of cases) {
    it(`forward ${name(c)} plan ${policy || 'timed'}`, async () => {
      addon!.setConvPlanPolicy(policy);
      try {
        const x = rand([c.n, c.h, c.w, c.ci]), w = rand([c.k[0], c.k[1], c.ci, c.co]);
        await assertSame([x, w], (xt, wt) => tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, c.s, c.pad, 'NHWC', c.d),
          ['Conv2D'], 1e-4, name(c));
        if (c.d === 1) {
          await assertSame([x, w], (xt, wt) => tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad))))([xt, wt]),
          ['Conv2DBackpropInput', 'Conv2DBackpropFilter'], 1e-4, name(c));
          const bias = rand([c.co]);
          await assertSame([x, w, bias], (xt, wt, bt) => tf.grads((a: tf.Tensor, f: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.square(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: f as tf.Tensor4D, strides: c.s,
              pad: c.pad, bias: b, activation: 'relu' }))))([xt, wt, bt]), ['FusedConv2D'], 1e-4, name(c));
        }
      } finally {
        addon!.setConvPlanPolicy(DEFAULT_CONV_PLAN_POLICY);
      }
    });
  }
  for (const c of cases) {
    it(`forward ${name(c)}`, async () => {
      const x = rand([c.n, c.h, c.w, c.ci]), w = rand([c.k[0], c.k[1], c.ci, c.co]);
      await assertSame([x, w], (xt, wt) => tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, c.s, c.pad, 'NHWC', c.d),
        ['Conv2D'], 1e-4, name(c));
    });
    // tfjs has no gradient for dilated conv2d (it throws on every backend).
    if (c.d === 1) it(`gradients ${name(c)}`, async () => {
      const x = rand([c.n, c.h, c.w, c.ci]), w = rand([c.k[0], c.k[1], c.ci, c.co]);
      const f = (xt: tf.Tensor, wt: tf.Tensor) =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad, 'NHWC', c.d))))([xt, wt]);
      // tfjs computes dilated conv gradients only for stride 1 (it asserts otherwise).
      await assertSame([x, w], f, ['Conv2DBackpropInput', 'Conv2DBackpropFilter'], 1e-4, name(c));
    });
  }

  const acts = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid'] as const;
  for (const act of acts) {
    it(`FusedConv2D bias + ${act}`, async () => {
      const x = rand([2, 9, 7, 3], -2, 4), w = rand([3, 3, 3, 5]), b = rand([5]);
      await assertSame([x, w, b], (xt, wt, bt) => tf.fused.conv2d({
        x: xt as tf.Tensor4D, filter: wt as tf.Tensor4D, strides: 1, pad: 'same', bias: bt,
        activation: act, leakyreluAlpha: 0.3,
      }), ['FusedConv2D'], 1e-4, act);
    });
  }

  // While recording gradients tfjs itself only fuses linear activations; on
  // onednn, patches/fused_conv2d.ts routes relu and linear through
  // OneDnnFusedConv2D and its gradient (ReluGrad + backprop input + fused
  // filter/bias backprop). Compared against tfjs-cpu's unfused graph.
  for (const act of ['linear', 'relu'] as const) {
    it(`fused.conv2d gradients (bias + ${act}) through tf.grads`, async () => {
      assert.equal(tf.fused.conv2d.name, 'fusedConv2dTrain', 'training-time fused conv2d patch installed');
      const x = rand([2, 11, 9, 3]), w = rand([3, 3, 3, 6]), b = rand([6]);
      await assertSame([x, w, b], (xt, wt, bt) => tf.grads((a: tf.Tensor, f: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 2,
          pad: 'same', bias: c, activation: act }))))([xt, wt, bt]),
      act === 'relu' ? ['FusedConv2D', 'Conv2DBackpropInput', 'OneDnnReluGrad'] : ['FusedConv2D', 'Conv2DBackpropInput'],
      1e-4, act);
    });
  }

  it('fused.conv2d gradients without bias, and only w.r.t. the filter', async () => {
    const x = rand([1, 9, 9, 2]), w = rand([3, 3, 2, 4]);
    await assertSame([x, w], (xt, wt) => tf.grads((a: tf.Tensor, f: tf.Tensor) =>
      tf.sum(tf.square(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1,
        pad: 'valid', activation: 'relu' }))))([xt, wt]), ['FusedConv2D', 'Conv2DBackpropFilter'], 1e-4);
    await assertSame([x, w], (xt, wt) => tf.grad((f: tf.Tensor) =>
      tf.sum(tf.fused.conv2d({ x: xt as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 2, pad: 'same',
        activation: 'relu', bias: tf.ones([4]) })))(wt),
    ['FusedConv2D'], 1e-4);
  });

  it('prelu activation and NCHW fall back to the cpu kernel and still agree', async () => {
    const x = rand([1, 7, 7, 3]), w = rand([3, 3, 3, 4]), alpha = rand([4]);
    await assertSame([x, w, alpha], (xt, wt, at) => tf.fused.conv2d({
      x: xt as tf.Tensor4D, filter: wt as tf.Tensor4D, strides: 1, pad: 'valid', activation: 'prelu',
      preluActivationWeights: at,
    }), [], 1e-4);
    assert.equal(kernelStats().fallback['FusedConv2D'], 1, 'prelu went to tfjs-cpu');
    assert.equal(kernelStats().native['FusedConv2D'] ?? 0, 0);
    resetKernelStats();
    const xc = rand([1, 3, 7, 7]), wc = rand([3, 3, 3, 2]);
    // tfjs-cpu itself does not implement NCHW conv2d; what matters is that the
    // onednn backend behaves exactly like cpu (same error), without crashing.
    const run = (b: string) => runOn(b, [xc, wc], (xt, wt) => tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, 1, 'valid', 'NCHW'))
      .then(() => 'ok', (e: Error) => e.message);
    assert.equal(await run('onednn'), await run('cpu'));
    assert.ok((kernelStats().fallback['Conv2D'] ?? 0) > 0);
  });
});

// oneDNN has Winograd kernels on avx512_core CPUs only (and under
// ONEDNN_MAX_CPU_ISA=AVX2 none): elsewhere the same geometries must run on
// direct plans, which the tests below then check instead.
const winoAvailable = addon!.convWinogradAvailable();

describe(`Winograd convolution plans vs tfjs-cpu (${winoAvailable ? 'Winograd available' : 'no Winograd on this CPU: direct plans'})`, () => {
  // 3x3 stride-1 geometries with channel counts oneDNN's Winograd kernels
  // take (on avx512_core machines); each is checked with Winograd on (the
  // default) and off, forward and both gradients, bias + relu fused.
  const wcases: Case[] = [
    { n: 2, h: 11, w: 11, ci: 16, co: 32, k: [3, 3], s: 1, pad: 'valid', d: 1 },
    { n: 1, h: 10, w: 13, ci: 32, co: 16, k: [3, 3], s: 1, pad: 'same', d: 1 },
    { n: 1, h: 17, w: 15, ci: 48, co: 64, k: [3, 3], s: 1, pad: 'valid', d: 1 },
  ];
  for (const wino of [true, false]) for (const c of wcases) {
    it(`${name(c)} winograd ${wino ? 'on' : 'off'}`, async () => {
      addon!.setConvWinograd(wino);
      try {
        const x = rand([c.n, c.h, c.w, c.ci]), w = rand([3, 3, c.ci, c.co]), bias = rand([c.co]);
        addon!.convImplsRun();
        await assertSame([x, w], (xt, wt) => tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, 1, c.pad),
          ['Conv2D'], 1e-4, name(c));
        await assertSame([x, w, bias], (xt, wt, bt) => tf.grads((a: tf.Tensor, f: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.square(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1,
            pad: c.pad, bias: b, activation: 'relu' }))))([xt, wt, bt]),
        ['FusedConv2D', 'Conv2DBackpropInput'], 1e-4, name(c));
        const impls = addon!.convImplsRun();
        // forward, fused forward, backward data, backward weights
        assert.ok(impls.length >= 4, `impls run: ${impls}`);
        const winoRuns = impls.filter((s) => s.includes('wino'));
        if (wino && winoAvailable) assert.equal(winoRuns.length, impls.length, `every plan Winograd: ${impls}`);
        else assert.equal(winoRuns.length, 0, `no Winograd plan: ${impls}`);
      } finally {
        addon!.setConvWinograd(true);
      }
    });
  }
});

describe('Winograd plans (or their direct fallback) are reproducible', () => {
  it('the same inputs give bitwise the same forward and gradients twice (exact resume relies on it)', async () => {
    await tf.setBackend('onednn');
    const x = rand([8, 13, 13, 32]), w = rand([3, 3, 32, 48]), b = rand([48]);
    const run = () => tf.tidy(() => {
      const [xt, wt, bt] = [tf.tensor(x.data, x.shape), tf.tensor(w.data, w.shape), tf.tensor(b.data, b.shape)];
      const f = (a: tf.Tensor, f2: tf.Tensor, c: tf.Tensor) => tf.sum(tf.square(tf.fused.conv2d({
        x: a as tf.Tensor4D, filter: f2 as tf.Tensor4D, strides: 1, pad: 'same', bias: c, activation: 'relu' })));
      return [tf.fused.conv2d({ x: xt as tf.Tensor4D, filter: wt as tf.Tensor4D, strides: 1, pad: 'same' }),
        ...tf.grads(f)([xt, wt, bt])].map((t) => Array.from(t.dataSync()));
    });
    addon!.convImplsRun();
    const first = run();
    const impls = addon!.convImplsRun();
    if (winoAvailable) assert.ok(impls.every((s) => s.includes('wino')), `Winograd plans ran: ${impls}`);
    else assert.ok(impls.length >= 4 && impls.every((s) => !s.includes('wino')), `direct plans ran (no Winograd here): ${impls}`);
    assert.deepEqual(run(), first);
  });
});
