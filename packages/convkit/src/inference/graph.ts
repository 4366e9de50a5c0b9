import type * as tfl from '@tensorflow/tfjs-layers';
import type { PlanActivation, PlanGraph, PlanNode } from '@convkit/tfjs-backend-onednn';

// A trained LayersModel as a plain inference graph: the one walk of a model's layers, read by the native predictor
// (which fuses and runs it with oneDNN) and by the ONNX export (which writes it). Dropout and other training-only
// layers vanish, batch normalisation becomes its inference-time per-channel affine map, 'same' padding becomes
// explicit pads, weights are copied out as Float32Arrays in tfjs's layouts. Tensors are NHWC (or [N, features]) and
// their shapes here omit the batch axis.

/** Activations a graph node may apply (the ones convkit's layers use, and Keras's common others). */
export const GRAPH_ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'tanh', 'softmax'] as const satisfies readonly PlanActivation[];
export type GraphActivation = (typeof GRAPH_ACTIVATIONS)[number];

/** Explicit padding [top, left, bottom, right], as tfjs computes it for 'same' (the extra row/column at the bottom/right). */
export type Pads = [number, number, number, number];

/**
 * The nodes are the native backend's plan graph nodes (conv2d with an HWIO filter, dense with an [in, units] kernel,
 * scaleShift, pool, add, flatten, activation; packages/tfjs-backend-onednn/src/plan.ts documents each): the graph is
 * what the plan compiles, and what the ONNX export writes.
 */
export type GraphNode = PlanNode;

export interface InferenceGraph extends PlanGraph {
  /** The model's name. */
  name: string;
}

/** A layer the graph cannot express; the predictor falls back to tfjs with this reason. */
export class UnsupportedLayerError extends Error {
  constructor(
    readonly layer: string,
    readonly className: string,
    cause: string,
  ) {
    super(`layer ${layer} (${className}): ${cause}`);
    this.name = 'UnsupportedLayerError';
  }
}

type Cfg = Record<string, unknown>;

const pair = (v: unknown, what: string, l: tfl.layers.Layer): [number, number] => {
  const a = Array.isArray(v) ? v : [v, v];
  if (a.length !== 2 || !a.every((x) => Number.isInteger(x) && x > 0)) throw new UnsupportedLayerError(l.name, l.getClassName(), `${what} ${JSON.stringify(v)}`);
  return [a[0] as number, a[1] as number];
};

/** tfjs's padding for one spatial axis: 'valid' none, 'same' the total needed for ceil(in / stride) outputs, the odd one at the end. */
export function samePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function padsOf(padding: unknown, l: tfl.layers.Layer, [h, w]: number[], k: [number, number], s: [number, number], d: [number, number]): Pads {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw new UnsupportedLayerError(l.name, l.getClassName(), `padding ${JSON.stringify(padding)}`);
  const [t, b] = samePads(h, k[0], s[0], d[0]);
  const [left, r] = samePads(w, k[1], s[1], d[1]);
  return [t, left, b, r];
}

function activationOf(l: tfl.layers.Layer, cfg: Cfg): GraphActivation {
  const a = cfg.activation ?? 'linear';
  if (typeof a !== 'string' || !(GRAPH_ACTIVATIONS as readonly string[]).includes(a)) throw new UnsupportedLayerError(l.name, l.getClassName(), `activation ${JSON.stringify(a)}`);
  return a as GraphActivation;
}

function channelsLast(l: tfl.layers.Layer, cfg: Cfg): void {
  if (cfg.dataFormat !== undefined && cfg.dataFormat !== 'channelsLast') throw new UnsupportedLayerError(l.name, l.getClassName(), `dataFormat ${String(cfg.dataFormat)}`);
}

const conv2dOut = (size: number, k: number, s: number, d: number, pads: number) => Math.floor((size + pads - ((k - 1) * d + 1)) / s) + 1;

/**
 * The inference graph of `model` (one input of shape [H, W, C] or [features], one output): throws
 * UnsupportedLayerError naming the first layer it cannot express.
 */
export function modelGraph(model: tfl.LayersModel): InferenceGraph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new UnsupportedLayerError(model.name, 'Model', `${model.inputs.length} inputs and ${model.outputs.length} outputs (one of each supported)`);
  const tensors: { shape: number[] }[] = [];
  const ids = new Map<number, number>(); // SymbolicTensor.id → graph tensor
  const add = (shape: number[]) => tensors.push({ shape }) - 1;
  const inShape = model.inputs[0].shape.slice(1);
  if (inShape.some((d) => d === null)) throw new UnsupportedLayerError(model.name, 'Model', `input shape [${inShape.join(', ')}] is not fully known`);
  ids.set(model.inputs[0].id, add(inShape as number[]));
  const nodes: GraphNode[] = [];

  for (const l of model.layers) {
    const cls = l.getClassName();
    if (cls === 'InputLayer') continue;
    if (l.inboundNodes.length !== 1) throw new UnsupportedLayerError(l.name, cls, `applied ${l.inboundNodes.length} times (shared layers are not supported)`);
    const node = l.inboundNodes[0];
    const ins = node.inputTensors.map((t) => {
      const id = ids.get(t.id);
      if (id === undefined) throw new UnsupportedLayerError(l.name, cls, 'input computed by a layer the graph does not know (nested model?)');
      return id;
    });
    if (node.outputTensors.length !== 1) throw new UnsupportedLayerError(l.name, cls, `${node.outputTensors.length} outputs`);
    const outSym = node.outputTensors[0];
    const shapeIn = tensors[ins[0]].shape;
    const cfg = l.getConfig() as Cfg;
    const weights = () => l.getWeights().map((w) => w.dataSync() as Float32Array);
    const one = () => {
      if (ins.length !== 1) throw new UnsupportedLayerError(l.name, cls, `${ins.length} inputs`);
      return ins[0];
    };
    const image = () => {
      if (shapeIn.length !== 3) throw new UnsupportedLayerError(l.name, cls, `input of rank ${shapeIn.length + 1} (NHWC expected)`);
      return shapeIn;
    };
    let out: number;
    switch (cls) {
      case 'Dropout':
      case 'SpatialDropout2D':
      case 'GaussianNoise':
      case 'GaussianDropout':
      case 'AlphaDropout':
        out = one(); // identity at inference
        break;
      case 'Conv2D': {
        channelsLast(l, cfg);
        const [h, w, c] = image();
        const k = pair(cfg.kernelSize, 'kernelSize', l);
        const s = pair(cfg.strides ?? 1, 'strides', l);
        const d = pair(cfg.dilationRate ?? 1, 'dilationRate', l);
        if ((cfg.groups ?? 1) !== 1) throw new UnsupportedLayerError(l.name, cls, `groups ${String(cfg.groups)}`);
        const pads = padsOf(cfg.padding, l, [h, w], k, s, d);
        const filters = cfg.filters as number;
        const [kernel, bias] = weights();
        out = add([conv2dOut(h, k[0], s[0], d[0], pads[0] + pads[2]), conv2dOut(w, k[1], s[1], d[1], pads[1] + pads[3]), filters]);
        nodes.push({ kind: 'conv2d', input: one(), output: out, filter: kernel, filterShape: [k[0], k[1], c, filters], ...(cfg.useBias !== false && bias ? { bias } : {}), strides: s, dilations: d, pads, activation: activationOf(l, cfg) });
        break;
      }
      case 'Dense': {
        if (shapeIn.length !== 1) throw new UnsupportedLayerError(l.name, cls, `input of rank ${shapeIn.length + 1} (a Dense on [N, features] only)`);
        const units = cfg.units as number;
        const [kernel, bias] = weights();
        out = add([units]);
        nodes.push({ kind: 'dense', input: one(), output: out, kernel, kernelShape: [shapeIn[0], units], ...(cfg.useBias !== false && bias ? { bias } : {}), activation: activationOf(l, cfg) });
        break;
      }
      case 'BatchNormalization': {
        const axis = cfg.axis as number;
        if (axis !== -1 && axis !== shapeIn.length) throw new UnsupportedLayerError(l.name, cls, `axis ${axis} (the last axis only)`);
        const ws = weights();
        const channels = shapeIn[shapeIn.length - 1];
        let i = 0;
        const gamma = cfg.scale !== false ? ws[i++] : new Float32Array(channels).fill(1);
        const beta = cfg.center !== false ? ws[i++] : new Float32Array(channels);
        const mean = ws[i++];
        const variance = ws[i++];
        const eps = (cfg.epsilon as number | undefined) ?? 1e-3;
        const scale = new Float32Array(channels);
        const shift = new Float32Array(channels);
        for (let ch = 0; ch < channels; ch++) {
          scale[ch] = gamma[ch] / Math.sqrt(variance[ch] + eps);
          shift[ch] = beta[ch] - mean[ch] * scale[ch];
        }
        out = add(shapeIn.slice());
        nodes.push({ kind: 'scaleShift', input: one(), output: out, scale, shift });
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        channelsLast(l, cfg);
        const [h, w, c] = image();
        const k = pair(cfg.poolSize ?? 2, 'poolSize', l);
        const s = pair(cfg.strides ?? k, 'strides', l);
        const pads = padsOf(cfg.padding ?? 'valid', l, [h, w], k, s, [1, 1]);
        out = add([conv2dOut(h, k[0], s[0], 1, pads[0] + pads[2]), conv2dOut(w, k[1], s[1], 1, pads[1] + pads[3]), c]);
        nodes.push({ kind: 'pool', type: cls === 'MaxPooling2D' ? 'max' : 'avg', input: one(), output: out, size: k, strides: s, pads });
        break;
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D': {
        channelsLast(l, cfg);
        const [h, w, c] = image();
        const pooled = add([1, 1, c]);
        nodes.push({ kind: 'pool', type: cls === 'GlobalMaxPooling2D' ? 'max' : 'avg', input: one(), output: pooled, size: [h, w], strides: [h, w], pads: [0, 0, 0, 0] });
        out = add([c]);
        nodes.push({ kind: 'flatten', input: pooled, output: out });
        break;
      }
      case 'Flatten': {
        if (shapeIn.length === 1) {
          out = one();
          break;
        }
        out = add([shapeIn.reduce((a, b) => a * b, 1)]);
        nodes.push({ kind: 'flatten', input: one(), output: out });
        break;
      }
      case 'Add': {
        if (ins.some((i) => tensors[i].shape.join() !== shapeIn.join())) throw new UnsupportedLayerError(l.name, cls, 'inputs of different shapes (broadcasting)');
        out = add(shapeIn.slice());
        nodes.push({ kind: 'add', inputs: ins, output: out });
        break;
      }
      case 'Activation': {
        out = add(shapeIn.slice());
        nodes.push({ kind: 'activation', input: one(), output: out, activation: activationOf(l, cfg) });
        break;
      }
      case 'ReLU': {
        if (cfg.maxValue !== undefined && cfg.maxValue !== null) throw new UnsupportedLayerError(l.name, cls, `maxValue ${String(cfg.maxValue)}`);
        out = add(shapeIn.slice());
        nodes.push({ kind: 'activation', input: one(), output: out, activation: 'relu' });
        break;
      }
      case 'Softmax': {
        if (cfg.axis !== undefined && cfg.axis !== -1 && cfg.axis !== shapeIn.length) throw new UnsupportedLayerError(l.name, cls, `axis ${String(cfg.axis)}`);
        out = add(shapeIn.slice());
        nodes.push({ kind: 'activation', input: one(), output: out, activation: 'softmax' });
        break;
      }
      default:
        throw new UnsupportedLayerError(l.name, cls, 'layer type not supported by the inference graph');
    }
    const want = outSym.shape.slice(1);
    if (want.join() !== tensors[out].shape.join()) throw new UnsupportedLayerError(l.name, cls, `computed shape [${tensors[out].shape.join(', ')}] differs from the model's [${want.join(', ')}]`);
    ids.set(outSym.id, out);
  }
  const output = ids.get(model.outputs[0].id);
  if (output === undefined) throw new UnsupportedLayerError(model.name, 'Model', 'output not reached');
  if (tensors[output].shape.length !== 1) throw new UnsupportedLayerError(model.name, 'Model', `output of shape [${tensors[output].shape.join(', ')}] (a [N, classes] output expected)`);
  return { name: model.name, tensors, nodes, output };
}
