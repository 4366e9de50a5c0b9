import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { InferenceGraph } from '../inference/graph.js';
import { writeFileAtomic } from '../util/atomic.js';
import { ConvkitError } from '../util/errors.js';
import { ONNX_INPUT, ONNX_OPSET, ONNX_OUTPUT, type OnnxMetadata } from './onnx-names.js';

export { ONNX_INPUT, ONNX_IR_VERSION, ONNX_METADATA_KEYS, ONNX_OPSET, ONNX_OUTPUT, type OnnxMetadata } from './onnx-names.js';

// `convkit export --onnx`: a model, a run folder or a model folder → an ONNX file (onnx-model.ts builds the message).

/** What `exportOnnx` wrote. */
export interface OnnxExport {
  file: string;
  bytes: number;
  opset: number;
  input: { name: string; shape: (number | string)[] };
  output: { name: string; shape: (number | string)[] };
  classNames?: string[];
}

/**
 * Writes `source` (a LayersModel, a run folder or a model folder holding model.json) as an ONNX file, atomically.
 * A run folder also gives its class names, model name and preparation to the metadata. Loading from a folder needs
 * a tfjs backend set (the CLI selects one). Throws a ConvkitError naming the layer the export cannot express.
 */
export async function exportOnnx(source: string | LayersModel, file: string, meta: OnnxMetadata = {}): Promise<OnnxExport> {
  const { modelGraph, UnsupportedLayerError } = await import('../inference/graph.js');
  const { onnxModelBytes } = await import('./onnx-model.js');
  if (await fs.stat(file).then((s) => s.isDirectory(), () => false)) throw new ConvkitError('is a directory; --onnx takes the file to write', { file });
  let model: LayersModel;
  let from = typeof source === 'string' ? source : source.name;
  if (typeof source === 'string') {
    const { readRunConfigOrNull } = await import('../run/config.js');
    const { runFiles } = await import('../run/layout.js');
    const { loadModel } = await import('../models/io.js');
    const cfg = await readRunConfigOrNull(source);
    if (cfg) {
      meta = { classNames: cfg.dataset?.classNames, model: cfg.model, preparation: cfg.dataset?.preparation, ...meta };
      from = runFiles(source).model;
    } else if (!(await fs.stat(path.join(source, 'model.json')).then((s) => s.isFile(), () => false))) {
      throw new ConvkitError('neither a run folder (config.json) nor a model folder (model.json)', { file: source });
    }
    model = await loadModel(from);
  } else model = source;
  try {
    let graph: InferenceGraph;
    try {
      graph = modelGraph(model);
    } catch (e) {
      if (e instanceof UnsupportedLayerError) throw new ConvkitError(`cannot export to ONNX: ${e.message}`, { file: from });
      throw e;
    }
    const classes = graph.tensors[graph.output].shape[0];
    if (meta.classNames && meta.classNames.length !== classes) meta = { ...meta, classNames: undefined };
    const bytes = onnxModelBytes(graph, meta);
    await writeFileAtomic(file, bytes);
    return {
      file,
      bytes: bytes.length,
      opset: ONNX_OPSET,
      input: { name: ONNX_INPUT, shape: ['batch', ...graph.tensors[0].shape] },
      output: { name: ONNX_OUTPUT, shape: ['batch', classes] },
      ...(meta.classNames ? { classNames: meta.classNames } : {}),
    };
  } finally {
    if (typeof source === 'string') model.dispose();
  }
}
