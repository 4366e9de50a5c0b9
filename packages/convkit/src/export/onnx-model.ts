import onnxProto from 'onnx-proto';
import type { GraphActivation, InferenceGraph } from '../inference/graph.js';
import { CONVKIT_VERSION } from '../version.js';
import { ONNX_INPUT, ONNX_IR_VERSION, ONNX_METADATA_KEYS, ONNX_OPSET, ONNX_OUTPUT, type OnnxMetadata } from './onnx-names.js';

// A trained network as an ONNX model (https://onnx.ai), written from the inference graph (inference/graph.ts) with
// the ONNX messages of the `onnx-proto` package (protobufjs). The input is what convkit feeds its models: float32
// NHWC images in [0, 1] with a dynamic batch axis; convolutions run in ONNX's NCHW, so the input is transposed once,
// and a Flatten that feeds Dense layers flattens the NCHW tensor and permutes the Dense kernel's rows instead of
// transposing back. Batch normalisation is a BatchNormalization node (mean 0, variance 1, its affine map as scale
// and bias) and activations separate nodes, which onnxruntime's graph optimiser fuses into the convolutions.

const { onnx } = onnxProto;

type Node = InstanceType<typeof onnx.NodeProto>;
type Tensor = InstanceType<typeof onnx.TensorProto>;

const attrInts = (name: string, ints: number[]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });
const attrInt = (name: string, i: number) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });
const attrFloat = (name: string, f: number) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f });

function floatTensor(name: string, dims: number[], data: Float32Array): Tensor {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // raw_data is little-endian; every platform Node runs convkit on is.
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes });
}

const valueInfo = (name: string, dims: (number | string)[]) =>
  onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  });

/** HWIO [kh, kw, in, out] → ONNX's OIHW [out, in, kh, kw]. */
function oihw(filter: Float32Array, [kh, kw, ci, co]: [number, number, number, number]): Float32Array {
  const out = new Float32Array(filter.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = filter[((y * kw + x) * ci + i) * co + o];
  return out;
}

/** The order NCHW flattening gives an [H, W, C] tensor's features: entry j is the NHWC (Keras) index of feature j. */
function nchwFlattenOrder([h, w, c]: number[]): Int32Array {
  const order = new Int32Array(h * w * c);
  for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) order[(ch * h + y) * w + x] = (y * w + x) * c + ch;
  return order;
}

/** A dense kernel [in, units] → Gemm's B transposed [units, in], its rows (inputs) taken in `order` when given. */
function gemmWeights(kernel: Float32Array, [inputs, units]: [number, number], order?: Int32Array): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let j = 0; j < inputs; j++) {
    const src = order ? order[j] : j;
    for (let u = 0; u < units; u++) out[u * inputs + j] = kernel[src * units + u];
  }
  return out;
}

/**
 * The ONNX model of an inference graph, encoded. Tensors of rank 4 live in NCHW inside the graph (transposed from
 * the NHWC input where first needed); flat tensors keep Keras's NHWC feature order, except a Flatten read only by
 * Dense layers, whose kernels are permuted to the NCHW order instead.
 */
export function onnxModelBytes(g: InferenceGraph, meta: OnnxMetadata = {}): Uint8Array {
  const nodes: Node[] = [];
  const initializers: Tensor[] = [];
  let counter = 0;
  const fresh = (hint: string) => `${hint}_${counter++}`;
  const op = (opType: string, inputs: string[], output: string, attribute: InstanceType<typeof onnx.AttributeProto>[] = []) => {
    nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: [output], name: fresh(opType), attribute }));
    return output;
  };
  const init = (hint: string, dims: number[], data: Float32Array) => {
    const name = fresh(hint);
    initializers.push(floatTensor(name, dims, data));
    return name;
  };

  // Each graph tensor's ONNX value(s): a rank-4 (image) tensor as NHWC and/or NCHW, a flat one as `flat`, whose
  // feature order is `order` (NHWC index of each feature) when it was flattened from NCHW.
  const values = new Map<number, { nhwc?: string; nchw?: string; flat?: string; order?: Int32Array }>();
  const isImage = (t: number) => g.tensors[t].shape.length === 3;
  const readers = (t: number) => g.nodes.filter((n) => (n.kind === 'add' ? n.inputs.includes(t) : n.input === t));
  values.set(0, isImage(0) ? { nhwc: ONNX_INPUT } : { flat: ONNX_INPUT });
  const nchw = (t: number): string => {
    const v = values.get(t)!;
    v.nchw ??= op('Transpose', [v.nhwc!], fresh('nchw'), [attrInts('perm', [0, 3, 1, 2])]);
    return v.nchw;
  };
  const nhwc = (t: number): string => {
    const v = values.get(t)!;
    v.nhwc ??= op('Transpose', [v.nchw!], fresh('nhwc'), [attrInts('perm', [0, 2, 3, 1])]);
    return v.nhwc;
  };
  /** A flat tensor in Keras's order (only a flatten read by Dense layers alone is left in NCHW order). */
  const flat = (t: number): string => {
    const v = values.get(t)!;
    if (v.order) throw new Error(`tensor ${t}: NCHW-ordered features read by a node other than Dense`);
    return v.flat!;
  };
  /** The value of tensor `t` as a same-layout input of an element-wise op, and how to record its result. */
  const elementwise = (t: number) => (isImage(t) ? { input: nchw(t), result: (name: string) => ({ nchw: name }) } : { input: flat(t), result: (name: string) => ({ flat: name }) });
  const outName = (t: number, hint: string) => (t === g.output ? ONNX_OUTPUT : fresh(hint));
  const activate = (x: string, a: GraphActivation, t: number, image: boolean): string => {
    const axis = image ? 1 : -1; // the channel axis (NHWC's last) in the value's layout
    switch (a) {
      case 'linear':
        return x; // (an output that is some other node's value gets its Identity at the end)
      case 'relu':
        return op('Relu', [x], outName(t, 'relu'));
      case 'relu6':
        return op('Clip', [x, init('zero', [], new Float32Array([0])), init('six', [], new Float32Array([6]))], outName(t, 'relu6'));
      case 'elu':
        return op('Elu', [x], outName(t, 'elu'), [attrFloat('alpha', 1)]);
      case 'sigmoid':
        return op('Sigmoid', [x], outName(t, 'sigmoid'));
      case 'tanh':
        return op('Tanh', [x], outName(t, 'tanh'));
      case 'softmax':
        return op('Softmax', [x], outName(t, 'softmax'), [attrInt('axis', axis)]);
    }
  };

  for (const n of g.nodes) {
    switch (n.kind) {
      case 'conv2d': {
        const [kh, kw, , co] = n.filterShape;
        const ins = [nchw(n.input), init('W', [co, n.filterShape[2], kh, kw], oihw(n.filter, n.filterShape))];
        if (n.bias) ins.push(init('B', [co], n.bias));
        const attrs = [attrInts('kernel_shape', [kh, kw]), attrInts('strides', n.strides), attrInts('dilations', n.dilations), attrInts('pads', n.pads)];
        const y = op('Conv', ins, n.activation === 'linear' ? outName(n.output, 'conv') : fresh('conv'), attrs);
        values.set(n.output, { nchw: activate(y, n.activation, n.output, true) });
        break;
      }
      case 'dense': {
        const v = values.get(n.input)!;
        const [inputs, units] = n.kernelShape;
        const ins = [v.flat!, init('W', [units, inputs], gemmWeights(n.kernel, n.kernelShape, v.order))];
        if (n.bias) ins.push(init('B', [units], n.bias));
        const y = op('Gemm', ins, n.activation === 'linear' ? outName(n.output, 'dense') : fresh('dense'), [attrInt('transB', 1)]);
        values.set(n.output, { flat: activate(y, n.activation, n.output, false) });
        break;
      }
      case 'scaleShift': {
        // BatchNormalization over axis 1 (NCHW's channels, or a flat tensor's features) with mean 0 and variance 1:
        // exactly x · scale + shift; onnxruntime folds it into a convolution right before it, else runs it as a
        // depthwise 1×1 convolution.
        const { input, result } = elementwise(n.input);
        const c = n.scale.length;
        const ins = [input, init('scale', [c], n.scale), init('shift', [c], n.shift), init('mean', [c], new Float32Array(c)), init('var', [c], new Float32Array(c).fill(1))];
        values.set(n.output, result(op('BatchNormalization', ins, outName(n.output, 'bn'), [attrFloat('epsilon', 0)])));
        break;
      }
      case 'pool': {
        const [h, w] = g.tensors[n.input].shape;
        const global = n.size[0] === h && n.size[1] === w && n.pads.every((p) => p === 0);
        const attrs = [attrInts('kernel_shape', n.size), attrInts('strides', n.strides), attrInts('pads', n.pads)];
        if (n.type === 'avg') attrs.push(attrInt('count_include_pad', 0));
        const y = global
          ? op(n.type === 'max' ? 'GlobalMaxPool' : 'GlobalAveragePool', [nchw(n.input)], fresh('gpool'))
          : op(n.type === 'max' ? 'MaxPool' : 'AveragePool', [nchw(n.input)], fresh('pool'), attrs);
        values.set(n.output, { nchw: y });
        break;
      }
      case 'add': {
        const { result } = elementwise(n.inputs[0]);
        const ins = n.inputs.map((t) => elementwise(t).input);
        let y = ins[0];
        for (let i = 1; i < ins.length; i++) y = op('Add', [y, ins[i]], i === ins.length - 1 ? outName(n.output, 'add') : fresh('add'));
        values.set(n.output, result(y));
        break;
      }
      case 'flatten': {
        const v = values.get(n.input)!;
        const shape = g.tensors[n.input].shape;
        const [h, w, c] = shape;
        const sameOrder = h * w === 1 || c === 1; // NCHW and NHWC flatten alike
        const denseOnly = n.output !== g.output && readers(n.output).every((r) => r.kind === 'dense');
        let y: string;
        let order: Int32Array | undefined;
        if (v.nhwc) y = op('Flatten', [v.nhwc], outName(n.output, 'flat'), [attrInt('axis', 1)]);
        else if (sameOrder || denseOnly) {
          y = op('Flatten', [v.nchw!], outName(n.output, 'flat'), [attrInt('axis', 1)]);
          if (!sameOrder) order = nchwFlattenOrder(shape);
        } else y = op('Flatten', [nhwc(n.input)], outName(n.output, 'flat'), [attrInt('axis', 1)]);
        values.set(n.output, { flat: y, order });
        break;
      }
      case 'activation': {
        const image = isImage(n.input);
        const { input, result } = elementwise(n.input);
        values.set(n.output, result(activate(input, n.activation, n.output, image)));
        break;
      }
    }
  }
  // The output: rank 2 ([N, classes]), produced under ONNX_OUTPUT by its node (or an Identity when it is the input).
  if (values.get(g.output)?.flat !== ONNX_OUTPUT) op('Identity', [flat(g.output)], ONNX_OUTPUT);

  const metadata: Record<string, string> = {
    [ONNX_METADATA_KEYS.convkitVersion]: CONVKIT_VERSION,
    [ONNX_METADATA_KEYS.inputLayout]: 'NHWC',
    [ONNX_METADATA_KEYS.inputRange]: '[0, 1]',
  };
  if (meta.classNames) metadata[ONNX_METADATA_KEYS.classNames] = JSON.stringify(meta.classNames);
  if (meta.model) metadata[ONNX_METADATA_KEYS.model] = meta.model;
  if (meta.preparation) metadata[ONNX_METADATA_KEYS.preparation] = JSON.stringify(meta.preparation);
  const classes = g.tensors[g.output].shape[0];
  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'convkit',
    producerVersion: CONVKIT_VERSION,
    docString: `${g.name}: float32 NHWC images in [0, 1] → ${classes} class probabilities`,
    graph: {
      name: g.name,
      node: nodes,
      initializer: initializers,
      input: [valueInfo(ONNX_INPUT, ['batch', ...g.tensors[0].shape])],
      output: [valueInfo(ONNX_OUTPUT, ['batch', classes])],
    },
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}
