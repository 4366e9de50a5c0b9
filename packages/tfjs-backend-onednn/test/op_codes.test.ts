// The op codes come from the addon (addon.opCodes, defined once in native/*.cc); src/native.ts
// holds only their names. Each name must select the operation it names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Act, BinaryOp, codes as allCodes, CompareOp, FillMode, LogicalOp, nat, ReduceOp, UnaryOp } from '../src/native.js';

const x = Float32Array.from([-2.5, -1, -0.25, 0, 0.5, 3, 7, NaN]);
const y = Float32Array.from([1.5, -3, 0.25, 2, -0.5, 3, 1, 4]);

test('the TS code tables are the addon\'s, and each family\'s codes are distinct', () => {
  const codes = nat().opCodes as Record<string, Record<string, number>>;
  const tables: Record<string, Record<string, number>> = { activation: Act, unary: UnaryOp, binary: BinaryOp, reduce: ReduceOp, fillMode: FillMode,
    compare: CompareOp, logical: LogicalOp,
    // The inference plan's (src/plan.ts reads them from `codes`).
    planStep: allCodes.planStep, planPost: allCodes.planPost, planActivation: allCodes.planActivation };
  assert.deepEqual(Object.keys(codes).sort(), Object.keys(tables).sort());
  for (const [family, table] of Object.entries(tables)) {
    assert.deepEqual(table, codes[family], family);
    assert.equal(new Set(Object.values(table)).size, Object.keys(table).length, `${family} codes distinct`);
  }
});

test('each unary and binary code runs the operation it is named after', () => {
  const unary: Record<keyof typeof UnaryOp, (v: number) => number> = {
    Relu: (v) => (v < 0 ? 0 : v), Square: (v) => v * v, Sqrt: Math.sqrt, Step: (v) => (Number.isNaN(v) ? v : v > 0 ? 1 : 0),
    Exp: Math.exp, Log: Math.log, Abs: Math.abs, Neg: (v) => -v, Rsqrt: (v) => 1 / Math.sqrt(v),
    Relu6: (v) => Math.min(Math.max(0, v), 6), Sigmoid: (v) => 1 / (1 + Math.exp(-v)),
    ClipByValue: (v) => (v > 2 ? 2 : v < 0 ? 0 : v), // [alpha, beta] = [0, 2]
  };
  for (const [name, f] of Object.entries(unary)) {
    const out = new Float32Array(x.length);
    nat().unary(UnaryOp[name as keyof typeof UnaryOp], x, out, 0, 2);
    x.forEach((v, i) => assert.ok(Object.is(out[i], Math.fround(f(v))) || Math.abs(out[i] - f(v)) < 1e-5 || (out[i] === 0 && f(v) === 0),
      `${name}(${v}) = ${out[i]}, expected ${f(v)}`));
  }
  const binary: Record<keyof typeof BinaryOp, (a: number, b: number) => number> = {
    Add: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b, Div: (a, b) => a / b,
    Max: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
    Min: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
    SquaredDiff: (a, b) => (a - b) ** 2, ReluGrad: (a, b) => (Number.isNaN(b) ? NaN : a * (b > 0 ? 1 : 0)),
  };
  for (const [name, f] of Object.entries(binary)) {
    const out = new Float32Array(x.length);
    nat().binary(BinaryOp[name as keyof typeof BinaryOp], y, x, out);
    y.forEach((a, i) => {
      const want = f(a, x[i]);
      assert.ok((Number.isNaN(want) && Number.isNaN(out[i])) || out[i] === want || Math.abs(out[i] - want) < 1e-5, `${name}(${a}, ${x[i]}) = ${out[i]}, expected ${want}`);
    });
  }
  const compare: Record<keyof typeof CompareOp, (a: number, b: number) => boolean> = {
    Equal: (a, b) => a === b, NotEqual: (a, b) => a !== b, Greater: (a, b) => a > b,
    GreaterEqual: (a, b) => a >= b, Less: (a, b) => a < b, LessEqual: (a, b) => a <= b,
  };
  const xs = Float32Array.from(x), same = Float32Array.from(y.map((v, i) => (i % 2 ? v : x[i])));
  for (const [name, f] of Object.entries(compare)) {
    const out = new Uint8Array(x.length);
    nat().compare(CompareOp[name as keyof typeof CompareOp], same, xs, out);
    same.forEach((a, i) => assert.equal(out[i], f(a, xs[i]) ? 1 : 0, `${name}(${a}, ${xs[i]})`));
  }
  const p = Uint8Array.from([0, 0, 1, 1]), q = Uint8Array.from([0, 1, 0, 1]);
  const logical: Record<keyof typeof LogicalOp, number[]> = { LogicalAnd: [0, 0, 0, 1], LogicalOr: [0, 1, 1, 1] };
  for (const [name, want] of Object.entries(logical)) {
    const out = new Uint8Array(4);
    nat().logical(LogicalOp[name as keyof typeof LogicalOp], p, q, out);
    assert.deepEqual(Array.from(out), want, name);
  }
  const ys = Array.from(y), sum = ys.reduce((p, q) => p + q, 0);
  const red: Record<keyof typeof ReduceOp, number> = {
    Sum: sum, Mean: sum / ys.length, Max: Math.max(...ys), Min: Math.min(...ys), Prod: ys.reduce((p, q) => p * q, 1),
  };
  for (const [name, want] of Object.entries(red)) {
    const out = new Float32Array(1);
    nat().reduce(ReduceOp[name as keyof typeof ReduceOp], y, out, 1, y.length, 1);
    assert.ok(Math.abs(out[0] - want) < 1e-5, `${name} = ${out[0]}, expected ${want}`);
  }
});
