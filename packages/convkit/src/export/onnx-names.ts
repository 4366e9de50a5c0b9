// The names and numbers of convkit's ONNX export, without the ONNX messages (onnx-proto loads only when a file is
// written).

/** The opset the export targets: 13, read by onnxruntime and by the checkers of onnx 1.8 on (Debian 13's onnx 1.12 checks up to 17). */
export const ONNX_OPSET = 13;
/** IR version 8 (ONNX 1.10+): what onnx-proto's messages describe; onnxruntime and onnx ≥ 1.10 read it. */
export const ONNX_IR_VERSION = 8;
/** The names of the model's input and output. */
export const ONNX_INPUT = 'image';
export const ONNX_OUTPUT = 'probabilities';

/** What the exported file says about the model besides its graph (ModelProto.metadata_props). */
export interface OnnxMetadata {
  /** The class of each output index. */
  classNames?: string[];
  /** The run's model name (zoo name or model file). */
  model?: string;
  /** How a `convkit prepare` set was made (the mode to apply to an image before it is fed). */
  preparation?: Record<string, unknown>;
}

/** The metadata_props keys (documented in docs/export.md). */
export const ONNX_METADATA_KEYS = {
  classNames: 'class_names',
  convkitVersion: 'convkit_version',
  model: 'convkit_model',
  inputLayout: 'input_layout',
  inputRange: 'input_range',
  preparation: 'preparation',
} as const;
