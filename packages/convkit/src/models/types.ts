import type { LayersModel } from '@tensorflow/tfjs-layers';

export interface ModelInput {
  /** [height, width, channels] */
  inputShape: [number, number, number];
  numClasses: number;
}

export type ModelBuilder = (input: ModelInput) => LayersModel;

export interface ModelSpec {
  name: string;
  description: string;
  /** Imports the builder (model files import tfjs; listing the models must not). */
  load(): Promise<ModelBuilder>;
  /** Training defaults this model was published with (e.g. GTSRB models use batch 64). */
  defaults?: { batchSize?: number; epochs?: number };
  /** false: the inference graph (the native inference plan, the ONNX export) does not know its layers; it predicts through tfjs-layers. */
  inferenceGraph?: false;
}
