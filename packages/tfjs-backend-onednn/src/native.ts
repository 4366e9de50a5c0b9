// Loads the oneDNN Node-API addon. Never throws: if the addon (or libdnnl)
// cannot be loaded, `addon` is null and `loadError` says why.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

import type { PlanSpec } from './plan.js';

type F32 = Float32Array;
type Dims = number[];

/** The functions exported by native/*.cc (see each file for semantics). */
export interface NativeAddon {
  setNumThreads(n: number): void;
  /** mallopt: no mmap for large blocks, no heap trimming (glibc only); true if applied. */
  tuneMalloc(): boolean;
  getNumThreads(): number;
  version(): { major: number; minor: number; patch: number; hash: string; cpuRuntime: string };
  /** Op codes of unary, binary, reduce, the fused activations and transform's fill modes. */
  opCodes: unknown;
  conv2dForward(x: F32, xShape: Dims, w: F32, wShape: Dims, bias: F32 | null, y: F32, yShape: Dims,
    strides: Dims, dilations: Dims, padL: Dims, padR: Dims, activation: number, alpha: number): void;
  conv2dBackwardData(dy: F32, dyShape: Dims, w: F32, wShape: Dims, dx: F32, dxShape: Dims,
    strides: Dims, dilations: Dims, padL: Dims, padR: Dims): void;
  conv2dBackwardWeights(x: F32, xShape: Dims, dy: F32, dyShape: Dims, dw: F32, dwShape: Dims,
    strides: Dims, dilations: Dims, padL: Dims, padR: Dims, db?: F32 | null): void;
  poolForward(x: F32, xShape: Dims, y: F32, yShape: Dims, kernel: Dims, strides: Dims,
    padL: Dims, padR: Dims, isMax: boolean): void;
  maxPoolBackward(x: F32, xShape: Dims, dy: F32, dyShape: Dims, dx: F32, kernel: Dims,
    strides: Dims, padL: Dims, padR: Dims): void;
  /** Bytes of oneDNN's max-pool workspace for this geometry. */
  maxPoolWorkspaceBytes(xShape: Dims, yShape: Dims, kernel: Dims, strides: Dims, padL: Dims,
    padR: Dims): number;
  /** Max pool forward that also writes oneDNN's workspace into `ws` (any TypedArray, >= the bytes above). */
  maxPoolForwardTraining(x: F32, xShape: Dims, y: F32, yShape: Dims, ws: Int32Array, kernel: Dims,
    strides: Dims, padL: Dims, padR: Dims): void;
  /** Max pool backward from the workspace of maxPoolForwardTraining (same geometry). */
  maxPoolBackwardWs(dy: F32, dyShape: Dims, ws: Int32Array, dx: F32, dxShape: Dims, kernel: Dims,
    strides: Dims, padL: Dims, padR: Dims): void;
  avgPoolBackward(dy: F32, dyShape: Dims, dx: F32, dxShape: Dims, kernel: Dims, strides: Dims,
    padL: Dims, padR: Dims): void;
  matmulForward(a: F32, aShape: Dims, b: F32, bShape: Dims, bias: F32 | null, y: F32,
    transposeA: boolean, transposeB: boolean, activation: number, alpha: number): void;
  /** 0 = auto (time the plans); 1..4 force a plan (see native/conv2d.cc), for tests. */
  setConvPlanPolicy(policy: 0 | 1 | 2 | 3 | 4): void;
  /** Winograd plans for 3x3 stride-1 convolutions where oneDNN has them (default on). */
  setConvWinograd(enabled: boolean): void;
  /** Whether oneDNN has a Winograd convolution on this CPU (avx512_core); elsewhere every plan is direct. */
  convWinogradAvailable(): boolean;
  /** oneDNN implementation names of the convolutions run since the previous call (for tests). */
  convImplsRun(): string[];
  /** y = op(x); ClipByValue clips to [alpha, beta]. */
  unary(op: number, x: F32, y: F32, alpha: number, beta?: number): void;
  /**
   * y = a op b; the shorter operand repeats along trailing axes, or (rowBroadcast) along leading
   * axes, or (inner given) is [outer, inner] against y [outer, mid, inner].
   */
  binary(op: number, a: F32, b: F32, y: F32, rowBroadcast?: boolean, inner?: number): void;
  reduce(op: number, x: F32, y: F32, outer: number, reduce: number, inner: number): void;
  softmax(x: F32, y: F32, rows: number, cols: number): void;
  adamUpdate(value: F32, grad: F32, m: F32, v: F32, valueOut: F32, mOut: F32, vOut: F32,
    lr: number, beta1: number, beta2: number, epsilon: number,
    oneMinusAccBeta1: number, oneMinusAccBeta2: number): void;
  dropoutMask(out: F32, keepProb: number, seed: number, offset: number): void;
  batchNorm(x: F32, y: F32, channels: number, mean: F32, variance: F32, scale: F32 | null,
    offset: F32 | null, varianceEpsilon: number): void;
  tile(x: F32, xShape: Dims, reps: Dims, y: F32): void;
  /**
   * tf.image.transform of an NHWC batch: `transforms` holds 8 numbers per image (or 8 for all),
   * fillMode is a FillMode code; y is [N, outShape[0], outShape[1], C].
   */
  transform(x: F32, xShape: Dims, transforms: F32, y: F32, outShape: Dims, bilinear: boolean,
    fillMode: number, fillValue: number): void;
  /**
   * FusedBatchNorm's gradient for per-channel mean/variance/scale (C values each): writes
   * dMean, dVariance, dScale, dOffset and k = scale / sqrt(variance + eps) (dx = dy * k).
   */
  batchNormGrad(x: F32, dy: F32, channels: number, mean: F32, variance: F32, scale: F32 | null,
    varianceEpsilon: number, dMean: F32, dVariance: F32, dScale: F32, dOffset: F32, k: F32): void;
  /** Per-channel (last axis) mean and biased variance over all other axes. */
  moments(x: F32, channels: number, mean: F32, variance: F32): void;
  /** dx = dMean / N + dVariance * 2 (x - mean) / N [+ dy * k] (absent terms are zero). */
  momentsGrad(x: F32, channels: number, mean: F32, dMean: F32 | null, dVariance: F32 | null,
    dx: F32, dy?: F32 | null, k?: F32 | null): void;
  /** Layer normalisation of x viewed as [rows, C] over its last axis (oneDNN, biased variance). */
  layerNormForward(x: F32, gamma: F32, beta: F32, y: F32, rows: number, channels: number,
    epsilon: number): void;
  /** Its gradient: dx, dgamma, dbeta from x and dy (the statistics are recomputed from x). */
  layerNormBackward(x: F32, dy: F32, gamma: F32, dx: F32, dgamma: F32, dbeta: F32, rows: number,
    channels: number, epsilon: number): void;
  /** y = 0.5 x (1 + erf(x / sqrt 2)) over the flat tensor (oneDNN eltwise gelu_erf). */
  geluForward(x: F32, y: F32): void;
  /** dx = dy · gelu'(x). */
  geluBackward(x: F32, dy: F32, dx: F32): void;
  /**
   * Multi-head attention on [B, T, D] q, k, v (head h = channels h·D/heads …): writes out
   * [B, T, D] and the attention probabilities probs [B, heads, T, T].
   */
  attentionForward(q: F32, k: F32, v: F32, out: F32, probs: F32, batch: number, tokens: number,
    channels: number, heads: number, scale: number): void;
  /** Its gradient from the forward's probs and dout: dq, dk, dv (each [B, T, D]). */
  attentionBackward(q: F32, k: F32, v: F32, probs: F32, dout: F32, dq: F32, dk: F32, dv: F32,
    batch: number, tokens: number, channels: number, heads: number, scale: number): void;
  /**
   * Bilinear sampling (PyTorch grid_sample, align_corners false, zeros padding) of x [B, H, W, C] at
   * grid [B, Ho, Wo, 2] (normalised (x, y) in [-1, 1]) into y [B, Ho, Wo, C].
   */
  gridSampleForward(x: F32, grid: F32, y: F32, batch: number, height: number, width: number, channels: number,
    outHeight: number, outWidth: number): void;
  /** Its gradient from dy [B, Ho, Wo, C]: dx (x's shape) and dgrid (grid's shape). */
  gridSampleBackward(x: F32, grid: F32, dy: F32, dx: F32, dgrid: F32, batch: number, height: number, width: number,
    channels: number, outHeight: number, outWidth: number): void;
  /**
   * y = a op b (an opCodes.compare op) for two Float32Arrays or two Int32Arrays of y's length or
   * of 1 element (a scalar); y is bool (Uint8Array).
   */
  compare(op: number, a: F32 | Int32Array, b: F32 | Int32Array, y: Uint8Array): void;
  /** y = a op b (an opCodes.logical op) on bool operands of y's length or of 1 element. */
  logical(op: number, a: Uint8Array, b: Uint8Array, y: Uint8Array): void;
  /** y = condition ? a : b, all of y's length. */
  select(condition: Uint8Array, a: F32, b: F32, y: F32): void;
  /** y[o, i] = index of the first largest x[o, :, i] (x [outer, reduce, inner]). */
  argMax(x: F32, y: Int32Array, outer: number, reduce: number, inner: number): void;
  /** y = x transposed by perm (y's shape is xShape[perm[i]]); rank 1 to 12. */
  transpose(x: F32, xShape: Dims, perm: Dims, y: F32): void;
  /** Compiles an inference plan (steps built by src/plan.ts); returns its id. */
  planCreate(spec: PlanSpec): number;
  /** Runs plan `plan` on n inputs x (NHWC, n · inputSize floats) into y (n · outputSize). */
  planRun(plan: number, x: F32, n: number, y: F32): void;
  /** Frees a plan (idempotent). */
  planDispose(plan: number): void;
  /** oneDNN implementation names of the plan's primitives for batch size n. */
  planImpls(plan: number, n: number): string[];
}

/**
 * Names of the op codes the addon exports (`opCodes[family][name]`, defined once, in native/*.cc);
 * the numbers are read from the loaded addon, never repeated here. An addon that lacks one of
 * these names is out of date and is not loaded (see `load`).
 */
const CODE_NAMES = {
  activation: ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid'],
  unary: ['Relu', 'Square', 'Sqrt', 'Step', 'Exp', 'Log', 'Abs', 'Neg', 'Rsqrt', 'Relu6', 'Sigmoid', 'ClipByValue'],
  compare: ['Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual'],
  logical: ['LogicalAnd', 'LogicalOr'],
  binary: ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'SquaredDiff', 'ReluGrad'],
  reduce: ['Sum', 'Mean', 'Max', 'Min', 'Prod'],
  fillMode: ['constant', 'reflect', 'wrap', 'nearest'],
  planStep: ['conv', 'dense', 'maxPool', 'avgPool', 'scaleShift', 'sum', 'eltwise', 'softmax', 'flatten'],
  planPost: ['eltwise', 'mul', 'add', 'sum'],
  planActivation: ['relu', 'relu6', 'elu', 'sigmoid', 'tanh'],
} as const;
type Family = keyof typeof CODE_NAMES;
export type OpCodes = { readonly [F in Family]: Readonly<Record<(typeof CODE_NAMES)[F][number], number>> };

/** The addon's op codes, or why they do not match CODE_NAMES. */
function readCodes(raw: unknown): OpCodes | string {
  const all = raw as Record<string, Record<string, unknown>> | undefined;
  for (const family of Object.keys(CODE_NAMES) as Family[]) {
    for (const name of CODE_NAMES[family]) {
      if (typeof all?.[family]?.[name] !== 'number') return `it exports no op code opCodes.${family}.${name}`;
    }
  }
  return all as unknown as OpCodes;
}

/**
 * Path of the compiled addon (built by `npm run build:native`);
 * CONVKIT_ONEDNN_ADDON overrides it (used by the test of the fallback path).
 */
export const addonPath = process.env.CONVKIT_ONEDNN_ADDON ||
  join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'Release', 'convkit_onednn.node');

function load(): { addon: NativeAddon | null; codes: OpCodes | null; error: Error | null } {
  // OpenMP threads that busy-wait between parallel regions are a disaster as
  // soon as another process wants the same cores (measured on 2 cores with a
  // concurrent job: 1.4 s vs 0.12 s per MNIST training step). libgomp reads
  // this once, when the addon pulls it in, so it is set before loading;
  // an explicit OMP_WAIT_POLICY in the environment wins.
  if (process.env.OMP_WAIT_POLICY === undefined) process.env.OMP_WAIT_POLICY = 'passive';
  try {
    const req = createRequire(import.meta.url);
    const addon = req(addonPath) as NativeAddon;
    const codes = readCodes(addon.opCodes);
    if (typeof codes === 'string') throw new Error(`${codes} (built from older sources; rebuild it)`);
    return { addon, codes, error: null };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return {
      addon: null,
      codes: null,
      error: new Error(
        `the oneDNN addon could not be loaded from ${addonPath}: ${err.message}. ` +
          'Install oneDNN (`apt-get install libdnnl-dev`) and build the addon ' +
          '(`make`, or `npm run build -w @convkit/tfjs-backend-onednn`).'),
    };
  }
}

const loaded = load();
/** Op codes for kernels that never run (the addon is missing): every code is -1. */
const noCodes = Object.fromEntries(Object.entries(CODE_NAMES).map(([f, names]) =>
  [f, Object.fromEntries(names.map((n) => [n, -1]))])) as unknown as OpCodes;
export const codes: OpCodes = loaded.codes ?? noCodes;
export const Act = codes.activation;
export const UnaryOp = codes.unary;
export const BinaryOp = codes.binary;
export const FillMode = codes.fillMode;
export const ReduceOp = codes.reduce;
export const CompareOp = codes.compare;
export const LogicalOp = codes.logical;
/** The addon, or null when it could not be loaded (see `loadError`). */
export const addon: NativeAddon | null = loaded.addon;
/** Why the addon could not be loaded, or null. */
export const loadError: Error | null = loaded.error;

/** Thread count requested by the environment: CONVKIT_THREADS, else all cores. */
export function defaultThreads(): number {
  const env = process.env.CONVKIT_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number.parseInt(env, 10);
    if (Number.isInteger(n) && n >= 1) return n;
  }
  return availableParallelism();
}

if (addon) {
  addon.setNumThreads(defaultThreads());
  // Reuse freed activation buffers instead of fresh page-faulted mappings
  // (about -8% CPU per GTSRB 48x48 training step); CONVKIT_ONEDNN_MALLOC=0 opts out.
  if (process.env.CONVKIT_ONEDNN_MALLOC !== '0') addon.tuneMalloc();
  // Fixed convolution plans by default (reproducible); `timed` picks per geometry by timing on first use.
  if (process.env.CONVKIT_ONEDNN_CONV_PLAN === 'timed') addon.setConvPlanPolicy(0);
  // Winograd convolutions where oneDNN has them; CONVKIT_ONEDNN_WINOGRAD=0 opts out.
  if (process.env.CONVKIT_ONEDNN_WINOGRAD === '0') addon.setConvWinograd(false);
}

/** The convolution plan policy the addon starts with (fixed, reproducible). */
export const DEFAULT_CONV_PLAN_POLICY = 4;

/** The addon, asserting that it is loaded (for kernels, which only run when it is). */
export function nat(): NativeAddon {
  if (!addon) throw loadError ?? new Error('oneDNN addon not loaded');
  return addon;
}
