import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ConvkitError } from '../util/errors.js';
import { isModelFile } from './model-file.js';
import type { UserModel } from './user-model.js';

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
  if (!spec) throw new ConvkitError(`option --model: unknown model "${name}" (known: ${[...models.keys()].join(', ')}, or a model file: .json topology, .js/.ts builder)`);
  return spec;
}

export function listModels(): ModelSpec[] {
  return [...models.values()];
}

/** Builds model `name` (a zoo name or a model file) for `input` (loads its builder, hence tfjs, on first use). */
export async function buildModel(name: string, input: ModelInput): Promise<LayersModel> {
  if (!models.has(name) && isModelFile(name)) return (await registerModelFile(name)).build(input);
  return (await getModel(name).load())(input);
}

const userModels = new Map<string, UserModel>();

/** Registers a model file (a `model.json` topology or a builder module) under the path as written. */
export async function registerModelFile(name: string): Promise<UserModel> {
  let spec = userModels.get(name);
  if (!spec) {
    const { loadUserModel } = await import('./user-model.js');
    spec = await loadUserModel(name);
    userModels.set(name, spec);
  }
  return spec;
}

/** `--model` checked and its training defaults: a zoo name, or a model file (`.json` topology, `.js`/`.mjs`/`.ts` builder). */
export async function resolveModel(name: string): Promise<{ name: string; defaults?: { batchSize?: number; epochs?: number } }> {
  if (!models.has(name) && isModelFile(name)) return registerModelFile(name);
  return getModel(name);
}
