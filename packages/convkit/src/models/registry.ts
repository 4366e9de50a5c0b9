import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ConvkitError } from '../util/errors.js';

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
}

const models = new Map<string, ModelSpec>();

export function registerModel(spec: ModelSpec): void {
  models.set(spec.name, spec);
}

export function getModel(name: string): ModelSpec {
  const spec = models.get(name);
  if (!spec) throw new ConvkitError(`option --model: unknown model "${name}" (known: ${[...models.keys()].join(', ')})`);
  return spec;
}

export function listModels(): ModelSpec[] {
  return [...models.values()];
}

/** Builds model `name` for `input` (loads its builder, hence tfjs, on first use). */
export async function buildModel(name: string, input: ModelInput): Promise<LayersModel> {
  return (await getModel(name).load())(input);
}
