import { ConvkitError } from '../util/errors.js';
import { ONNX_INPUT, ONNX_OUTPUT } from './onnx-names.js';

// An exported ONNX file run by onnxruntime-node (`convkit evaluate --onnx`): the check that the export scores what
// the run scores. onnxruntime-node is not one of convkit's dependencies (a development one): it loads here, on use.

/** An ONNX classifier of NHWC images, as convkit exports them (input `image`, output `probabilities`). */
export interface OnnxSession {
  /** [height, width, channels]. */
  readonly inputShape: number[];
  readonly numClasses: number;
  /** n NHWC images in [0, 1] → n × numClasses probabilities. */
  predict(x: Float32Array, n: number): Promise<Float32Array>;
  close(): Promise<void>;
}

/** Opens `file` with onnxruntime-node (`threads` intra-op threads; its default: all cores). */
export async function openOnnx(file: string, opts: { threads?: number } = {}): Promise<OnnxSession> {
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch (e) {
    throw new ConvkitError(`--onnx needs onnxruntime-node (npm install onnxruntime-node): ${(e as Error).message.split('\n')[0]}`, { file });
  }
  let session: import('onnxruntime-node').InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, opts.threads ? { intraOpNumThreads: opts.threads } : {});
  } catch (e) {
    throw new ConvkitError(`onnxruntime cannot load it: ${(e as Error).message.split('\n')[0]}`, { file });
  }
  const shapeOf = (meta: readonly import('onnxruntime-node').InferenceSession.ValueMetadata[], name: string) => {
    const m = meta.find((v) => v.name === name);
    return m && m.isTensor ? m.shape : undefined;
  };
  const input = shapeOf(session.inputMetadata, ONNX_INPUT);
  const output = shapeOf(session.outputMetadata, ONNX_OUTPUT);
  const fixed = (dims: readonly (number | string)[] | undefined, rank: number) => dims?.length === rank && dims.slice(1).every((d) => typeof d === 'number' && d > 0);
  if (!fixed(input, 4) || !fixed(output, 2)) {
    await session.release();
    throw new ConvkitError(`not an image classifier as convkit exports them (input "${ONNX_INPUT}" [batch, height, width, channels], output "${ONNX_OUTPUT}" [batch, classes]); inputs: ${session.inputNames.join(', ')}`, { file });
  }
  const inputShape = input!.slice(1) as number[];
  const numClasses = output![1] as number;
  return {
    inputShape,
    numClasses,
    async predict(x, n) {
      const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', x, [n, ...inputShape]) });
      return out[ONNX_OUTPUT].data as Float32Array;
    },
    close: () => session.release(),
  };
}
