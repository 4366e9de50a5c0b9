// Every native entry point checks the length of each buffer it is given
// against the shapes (or sizes) it is given, and throws a JS error naming
// the binding, instead of reading or writing past the end of the buffer.
// The addon is called directly, as a JS-side shape bug would call it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addon, type NativeAddon } from '../src/native.js';

if (!addon) throw new Error('onednn addon not loaded');
const nat: NativeAddon = addon;

const buf = (...shape: number[]) => new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5);

// Valid argument lists, one per binding that takes buffers.
const conv = {
  x: [1, 5, 5, 2], w: [3, 3, 2, 4], y: [1, 3, 3, 4], geom: [[1, 1], [1, 1], [0, 0], [0, 0]],
};
const pool = { x: [1, 4, 4, 2], y: [1, 2, 2, 2], geom: [[2, 2], [2, 2], [0, 0], [0, 0]] };
const wsBytes = nat.maxPoolWorkspaceBytes(pool.x, pool.y, ...(pool.geom as [number[], number[], number[], number[]]));
const ws = () => new Int32Array(Math.ceil(wsBytes / 4));
const eps = 1e-3;
// A one-layer inference plan ([2, 2, 3] → dense → [4]) for planRun.
const planSpec = { tensors: [[2, 2, 3], [4]], input: 0, output: 1,
  steps: [{ op: (nat.opCodes as { planStep: { dense: number } }).planStep.dense, inputs: [0], output: 1,
    weights: buf(12, 4), weightsShape: [12, 4], bias: null, post: [] }] };
const planId = nat.planCreate(planSpec as Parameters<NativeAddon['planCreate']>[0]);

const cases: Record<string, () => unknown[]> = {
  conv2dForward: () => [buf(...conv.x), conv.x, buf(...conv.w), conv.w, buf(4), buf(...conv.y), conv.y,
    ...conv.geom, 1, 0],
  conv2dBackwardData: () => [buf(...conv.y), conv.y, buf(...conv.w), conv.w, buf(...conv.x), conv.x,
    ...conv.geom],
  conv2dBackwardWeights: () => [buf(...conv.x), conv.x, buf(...conv.y), conv.y, buf(...conv.w), conv.w,
    ...conv.geom, buf(4)],
  poolForward: () => [buf(...pool.x), pool.x, buf(...pool.y), pool.y, ...pool.geom, true],
  maxPoolBackward: () => [buf(...pool.x), pool.x, buf(...pool.y), pool.y, buf(...pool.x), ...pool.geom],
  maxPoolForwardTraining: () => [buf(...pool.x), pool.x, buf(...pool.y), pool.y, ws(), ...pool.geom],
  maxPoolBackwardWs: () => [buf(...pool.y), pool.y, ws(), buf(...pool.x), pool.x, ...pool.geom],
  avgPoolBackward: () => [buf(...pool.y), pool.y, buf(...pool.x), pool.x, ...pool.geom],
  matmulForward: () => [buf(2, 2, 3), [2, 2, 3], buf(1, 3, 4), [1, 3, 4], buf(4), buf(2, 2, 4), false, false, 1, 0],
  unary: () => [0, buf(6), buf(6), 0],
  binary: () => [0, buf(6), buf(6), buf(6)],
  reduce: () => [0, buf(2, 3, 4), buf(2, 4), 2, 3, 4],
  softmax: () => [buf(2, 3), buf(2, 3), 2, 3],
  adamUpdate: () => [buf(5), buf(5), buf(5), buf(5), buf(5), buf(5), buf(5), 0.1, 0.9, 0.999, 1e-7, 0.1, 0.001],
  tile: () => [buf(2, 3), [2, 3], [2, 1], buf(4, 3)],
  batchNorm: () => [buf(4, 3), buf(4, 3), 3, buf(3), buf(3), buf(3), buf(3), eps],
  batchNormGrad: () => [buf(4, 3), buf(4, 3), 3, buf(3), buf(3), buf(3), eps, buf(3), buf(3), buf(3), buf(3), buf(3)],
  moments: () => [buf(4, 3), 3, buf(3), buf(3)],
  transform: () => [buf(2, 3, 4, 2), [2, 3, 4, 2], buf(2, 8), buf(2, 5, 6, 2), [5, 6], true, 0, 0],
  planRun: () => [planId, buf(2, 2, 2, 3), 2, buf(2, 4)],
  layerNormForward: () => [buf(4, 3), buf(3), buf(3), buf(4, 3), 4, 3, eps],
  layerNormBackward: () => [buf(4, 3), buf(4, 3), buf(3), buf(4, 3), buf(3), buf(3), 4, 3, eps],
  geluForward: () => [buf(6), buf(6)],
  geluBackward: () => [buf(6), buf(6), buf(6)],
  attentionForward: () => [buf(2, 3, 4), buf(2, 3, 4), buf(2, 3, 4), buf(2, 3, 4), buf(2, 2, 3, 3), 2, 3, 4, 2, 0.5],
  attentionBackward: () => [buf(2, 3, 4), buf(2, 3, 4), buf(2, 3, 4), buf(2, 2, 3, 3), buf(2, 3, 4),
    buf(2, 3, 4), buf(2, 3, 4), buf(2, 3, 4), 2, 3, 4, 2, 0.5],
  compare: () => [0, buf(5), buf(5), new Uint8Array(5)],
  logical: () => [0, new Uint8Array(5), new Uint8Array(5), new Uint8Array(5)],
  select: () => [new Uint8Array(5), buf(5), buf(5), buf(5)],
  argMax: () => [buf(2, 3, 4), new Int32Array(8), 2, 3, 4],
  transpose: () => [buf(2, 3, 4), [2, 3, 4], [2, 0, 1], buf(4, 2, 3)],
  momentsGrad: () => [buf(4, 3), 3, buf(3), buf(3), buf(3), buf(4, 3), buf(4, 3), buf(3)],
  gridSampleForward: () => [buf(2, 3, 4, 2), buf(2, 5, 6, 2), buf(2, 5, 6, 2), 2, 3, 4, 2, 5, 6],
  gridSampleBackward: () => [buf(2, 3, 4, 2), buf(2, 5, 6, 2), buf(2, 5, 6, 2), buf(2, 3, 4, 2), buf(2, 5, 6, 2),
    2, 3, 4, 2, 5, 6],
};
// Bindings without a buffer to check against a shape.
const noShapedBuffers = new Set([
  'setNumThreads', 'getNumThreads', 'version', 'tuneMalloc', 'setConvPlanPolicy', 'setConvWinograd',
  'convImplsRun', 'convWinogradAvailable', 'maxPoolWorkspaceBytes',
  // Writes its single output over the output's own length.
  'dropoutMask',
  // Inference plans: the buffers inside planCreate's spec and the plan handles are checked by test/plan.test.ts.
  'planCreate', 'planDispose', 'planImpls',
]);

const call = (name: string, args: unknown[]) =>
  (nat as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args);

describe('native entry points check buffer lengths against their shapes', () => {
  it('every binding of the addon is covered', () => {
    const missing = Object.keys(nat).filter((k) => typeof (nat as unknown as Record<string, unknown>)[k] ===
      'function' && !(k in cases) && !noShapedBuffers.has(k));
    assert.deepEqual(missing, [], `bindings with no short-buffer case in test/bounds.test.ts: ${missing}`);
  });

  // A short buffer both as its own allocation (an overrun leaves it: what ASan sees in the
  // addon's own loops; oneDNN's JIT code is not instrumented) and as a view followed by
  // sentinel values (a write past its end changes them, whoever makes it).
  const SENTINEL = -7777;
  type Buf = Float32Array | Int32Array | Uint8Array;
  const shortened = {
    'its own allocation': (a: Buf) => ({ arg: a.slice(0, a.length - 1), tail: null, sentinel: 0 }),
    'a view before sentinels': (a: Buf) => {
      const whole = new (a.constructor as new (n: number) => Buf)(a.length + 16);
      whole.fill(SENTINEL).set(a.subarray(0, a.length - 1));
      // SENTINEL as this array type stores it (a Uint8Array wraps it).
      const sentinel = whole[whole.length - 1];
      return { arg: whole.subarray(0, a.length - 1), tail: whole.subarray(a.length - 1), sentinel };
    },
  };
  for (const [name, make] of Object.entries(cases)) {
    it(`${name}: a buffer one element short throws an error naming ${name}`, () => {
      // The valid call runs (so each refusal below is due to the short buffer alone).
      call(name, make());
      let checked = 0;
      make().forEach((arg, i) => {
        if (!ArrayBuffer.isView(arg)) return;
        for (const [how, shorten] of Object.entries(shortened)) {
          const args = make();
          const { arg: short, tail, sentinel } = shorten(arg as Buf);
          args[i] = short;
          const what = `${name}: argument ${i} one element short (${how})`;
          assert.throws(() => call(name, args), (e: Error) => {
            assert.ok(e instanceof RangeError, `${what}: ${e}`);
            assert.match(e.message, new RegExp(`^onednn ${name}: `), what);
            return true;
          }, `${what} was accepted`);
          if (tail) assert.ok(tail.every((v) => v === sentinel), `${what}: written past its end`);
        }
        checked++;
      });
      assert.ok(checked >= 2, `${name}: only ${checked} buffers checked`);
    });
  }

  it('a negative dimension is refused, not multiplied away', () => {
    // [-1, 5, 5, -2] has as many "elements" as [1, 5, 5, 2].
    const args = cases.conv2dForward();
    args[1] = [-1, 5, 5, -2];
    assert.throws(() => call('conv2dForward', args), /^RangeError: onednn conv2dForward: /);
  });
});
