// An inference plan: a feed-forward network (convolutions, dense layers, per-channel scale-shift, pooling, sums,
// flatten, activations) compiled once into oneDNN primitives by native/plan.cc and run with one native call per
// batch. This file fuses the graph into the plan's steps:
//  - a convolution or dense layer takes its activation, then, along a chain of single-reader tensors, the
//    per-channel scale-shifts (batch norm at inference) and activations that follow it as post-ops; a scale-shift
//    right after a linear layer is folded into its weights and bias instead;
//  - a two-input add after a convolution whose other input is already computed becomes a sum post-op (the
//    residual shortcut added in the convolution's output buffer);
//  - a flatten read only by dense layers disappears (the dense layer reads the image tensor in oneDNN's layout,
//    its weights reordered to match);
//  - softmax is its own step (the last one, over [N, classes]).
// It knows nothing of the program that built the graph: the graph type below is the plain structure it needs.
import { addon, codes, loadError, type NativeAddon, type OpCodes } from './native.js';

export type PlanActivation = 'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid' | 'tanh' | 'softmax';
type Pads = [number, number, number, number];

/** One node of the graph; tensors are NHWC (or [features]) and their shapes omit the batch axis. */
export type PlanNode =
  /** `filter` HWIO [kh, kw, in, out]; pads [top, left, bottom, right]. */
  | { kind: 'conv2d'; input: number; output: number; filter: Float32Array; filterShape: [number, number, number, number]; bias?: Float32Array; strides: [number, number]; dilations: [number, number]; pads: Pads; activation: PlanActivation }
  /** `kernel` [in, units]; an image input is read in NHWC order (as after a channels-last flatten). */
  | { kind: 'dense'; input: number; output: number; kernel: Float32Array; kernelShape: [number, number]; bias?: Float32Array; activation: PlanActivation }
  /** y = x · scale + shift over the last axis. */
  | { kind: 'scaleShift'; input: number; output: number; scale: Float32Array; shift: Float32Array }
  /** Average pooling counts only the pixels inside the image. */
  | { kind: 'pool'; type: 'max' | 'avg'; input: number; output: number; size: [number, number]; strides: [number, number]; pads: Pads }
  | { kind: 'add'; inputs: number[]; output: number }
  | { kind: 'flatten'; input: number; output: number }
  | { kind: 'activation'; input: number; output: number; activation: PlanActivation };

export interface PlanGraph {
  /** Tensor 0 is the input ([H, W, C] or [features]). */
  tensors: { shape: number[] }[];
  /** In an order where every input is computed before it is read. */
  nodes: PlanNode[];
  /** The output tensor, [classes]. */
  output: number;
}

/** A step of native/plan.cc (see its parser for the fields). */
export interface PostOp { kind: number; activation?: number; data?: Float32Array; tensor?: number }
export interface Step {
  op: number; inputs: number[]; output: number;
  weights?: Float32Array; weightsShape?: number[]; bias?: Float32Array | null;
  strides?: number[]; dilations?: number[]; padL?: number[]; padR?: number[]; kernel?: number[];
  activation?: number; scale?: Float32Array; shift?: Float32Array; post?: PostOp[];
}
export interface PlanSpec { tensors: number[][]; input: number; output: number; steps: Step[] }

type PlanCodes = Pick<OpCodes, 'planStep' | 'planPost' | 'planActivation'>;

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The plan's steps for `g`: the fusions described at the top of this file. */
export function fuseGraph(g: PlanGraph, codes: PlanCodes): PlanSpec {
  const { planStep: S, planPost: P, planActivation: A } = codes;
  const tensors = g.tensors.map((t) => t.shape.slice());
  const readers = tensors.map(() => [] as number[]);
  g.nodes.forEach((n, i) => {
    for (const t of n.kind === 'add' ? n.inputs : [n.input]) readers[t].push(i);
  });
  const alias = new Map<number, number>(); // tensor → the tensor holding its values
  const real = (t: number): number => alias.get(t) ?? t;
  const computed = new Set<number>([0]);
  const absorbed = new Set<number>();
  const steps: Step[] = [];
  const single = (t: number) => (t !== g.output && readers[t].length === 1 ? g.nodes[readers[t][0]] : undefined);
  const actCode = (a: Exclude<PlanActivation, 'linear' | 'softmax'>) => A[a];

  g.nodes.forEach((n, i) => {
    if (absorbed.has(i)) return;
    switch (n.kind) {
      case 'conv2d':
      case 'dense': {
        const isConv = n.kind === 'conv2d';
        const outCh = isConv ? n.filterShape[3] : n.kernelShape[1];
        const weights = Float32Array.from(isConv ? n.filter : n.kernel);
        let bias = n.bias ? Float32Array.from(n.bias) : undefined;
        const post: PostOp[] = [];
        if (n.activation !== 'linear' && n.activation !== 'softmax') post.push({ kind: P.eltwise, activation: actCode(n.activation) });
        let out = n.output;
        for (let next = n.activation === 'softmax' ? undefined : single(out); next; next = single(out)) {
          const j = g.nodes.indexOf(next);
          if (next.kind === 'scaleShift') {
            if (post.length === 0) {
              // Folded: w' = w · scale (per output channel, the last axis of HWIO and of [in, units]), b' = b · scale + shift.
              for (let k = 0; k < weights.length; k++) weights[k] *= next.scale[k % outCh];
              const b = new Float32Array(outCh);
              for (let c = 0; c < outCh; c++) b[c] = (bias ? bias[c] : 0) * next.scale[c] + next.shift[c];
              bias = b;
            } else {
              post.push({ kind: P.mul, data: next.scale }, { kind: P.add, data: next.shift });
            }
          } else if (next.kind === 'activation' && next.activation !== 'softmax') {
            if (next.activation !== 'linear') post.push({ kind: P.eltwise, activation: actCode(next.activation) });
          } else if (isConv && next.kind === 'add' && next.inputs.length === 2) {
            const other = real(next.inputs[0] === out ? next.inputs[1] : next.inputs[0]);
            if (!computed.has(other) || next.inputs[0] === next.inputs[1]) break;
            post.push({ kind: P.sum, tensor: other });
          } else break;
          absorbed.add(j);
          out = next.output;
        }
        const input = real(n.input);
        let stepOut = out;
        if (n.activation === 'softmax') stepOut = tensors.push(tensors[out].slice()) - 1;
        steps.push({
          op: isConv ? S.conv : S.dense, inputs: [input], output: stepOut, weights, weightsShape: isConv ? n.filterShape : n.kernelShape,
          bias: bias ?? null, post,
          ...(n.kind === 'conv2d' ? { strides: n.strides, dilations: n.dilations, padL: [n.pads[0], n.pads[1]], padR: [n.pads[2], n.pads[3]] } : {}),
        });
        computed.add(stepOut);
        if (n.activation === 'softmax') {
          steps.push({ op: S.softmax, inputs: [stepOut], output: out });
          computed.add(out);
        }
        return;
      }
      case 'flatten': {
        if (n.output !== g.output && readers[n.output].length > 0 && readers[n.output].every((r) => g.nodes[r].kind === 'dense')) {
          alias.set(n.output, real(n.input));
          return;
        }
        steps.push({ op: S.flatten, inputs: [real(n.input)], output: n.output });
        break;
      }
      case 'pool':
        steps.push({ op: n.type === 'max' ? S.maxPool : S.avgPool, inputs: [real(n.input)], output: n.output, kernel: n.size, strides: n.strides, padL: [n.pads[0], n.pads[1]], padR: [n.pads[2], n.pads[3]] });
        break;
      case 'scaleShift':
        steps.push({ op: S.scaleShift, inputs: [real(n.input)], output: n.output, scale: n.scale, shift: n.shift });
        break;
      case 'add':
        steps.push({ op: S.sum, inputs: n.inputs.map(real), output: n.output });
        break;
      case 'activation':
        if (n.activation === 'linear') {
          alias.set(n.output, real(n.input));
          return;
        }
        steps.push(n.activation === 'softmax'
          ? { op: S.softmax, inputs: [real(n.input)], output: n.output }
          : { op: S.eltwise, inputs: [real(n.input)], output: n.output, activation: actCode(n.activation) });
        break;
    }
    computed.add(n.output);
  });
  return { tensors, input: 0, output: real(g.output), steps };
}

function nativeOrThrow(): NativeAddon {
  if (!addon) throw loadError ?? new Error('oneDNN addon not loaded');
  return addon;
}

/** Frees the native plan of an InferencePlan collected without dispose(). */
const unreleased = new FinalizationRegistry<{ nat: NativeAddon; id: number }>(({ nat, id }) => nat.planDispose(id));

/** A compiled network: `run` takes n inputs (NHWC) in one Float32Array and returns n outputs. */
export class InferencePlan {
  readonly inputSize: number;
  readonly outputSize: number;
  private id: number | null;

  private constructor(private readonly nat: NativeAddon, spec: PlanSpec) {
    this.id = nat.planCreate(spec);
    unreleased.register(this, { nat, id: this.id }, this);
    this.inputSize = size(spec.tensors[spec.input]);
    this.outputSize = size(spec.tensors[spec.output]);
  }

  /** Compiles `graph` (throws if the addon is not loaded or the graph is malformed). */
  static create(graph: PlanGraph): InferencePlan {
    const nat = nativeOrThrow();
    return new InferencePlan(nat, fuseGraph(graph, codes));
  }

  private handle(): number {
    if (this.id === null) throw new Error('InferencePlan: used after dispose()');
    return this.id;
  }

  /** Runs the network on n inputs, synchronously (the first run at each batch size builds its primitives). */
  run(x: Float32Array, n: number, out = new Float32Array(n * this.outputSize)): Float32Array {
    this.nat.planRun(this.handle(), x, n, out);
    return out;
  }

  /** oneDNN's implementation of each primitive run for batch size n (reorders included), in order. */
  implementations(n: number): string[] {
    return this.nat.planImpls(this.handle(), n);
  }

  dispose(): void {
    if (this.id !== null) this.nat.planDispose(this.id);
    unreleased.unregister(this);
    this.id = null;
  }
}
