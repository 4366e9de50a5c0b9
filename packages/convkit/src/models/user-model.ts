import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConvkitError } from '../util/errors.js';
import { registerConvkitLayers } from './layers/index.js';
import { MODULE_EXT, TOPOLOGY_EXT } from './model-file.js';
import type { ModelInput } from './types.js';

export { isModelFile } from './model-file.js';

/** What a user's builder module receives: the shapes, and convkit's own tfjs-layers (a second copy would not share its backend). */
export interface UserModelInput extends ModelInput {
  tfl: typeof tfl;
}

/** A model the zoo lacks, from a file: a tfjs/Keras `model.json` topology, or a `.js`/`.mjs`/`.ts` module exporting a builder. */
export interface UserModel {
  name: string;
  file: string;
  description: string;
  defaults?: { batchSize?: number; epochs?: number };
  build(input: ModelInput): Promise<tfl.LayersModel>;
}

/** The Keras topology inside a tfjs `model.json` (`modelTopology`, possibly wrapping `model_config`) or a Keras `model.to_json()`. */
export function topologyOf(json: unknown, file: string): Record<string, unknown> {
  let topo = json as Record<string, any> | null;
  if (topo && typeof topo === 'object' && 'modelTopology' in topo) topo = topo.modelTopology;
  if (topo && typeof topo === 'object' && 'model_config' in topo) topo = topo.model_config;
  if (!topo || typeof topo !== 'object' || typeof topo.class_name !== 'string' || typeof topo.config !== 'object') {
    throw new ConvkitError('not a model topology (expected a tfjs model.json with modelTopology, or a Keras model JSON with class_name and config)', { file });
  }
  return topo;
}

/** Reads and checks a topology file; errors name the file. */
export async function readTopologyFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConvkitError(code === 'ENOENT' ? 'model file not found' : `cannot read model file (${code})`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConvkitError(`not valid JSON (${(e as Error).message})`, { file });
  }
  return topologyOf(json, file);
}

function checkShapes(model: tfl.LayersModel, input: ModelInput, file: string): tfl.LayersModel {
  const inShape = model.inputs[0]?.shape.slice(1);
  const outShape = model.outputs[0]?.shape;
  const want = input.inputShape;
  if (!inShape || inShape.length !== want.length || inShape.some((d, i) => d !== null && d !== want[i])) {
    model.dispose();
    throw new ConvkitError(`model input shape [${inShape?.join(', ')}] does not fit the data's [${want.join(', ')}]`, { file });
  }
  if (!outShape || outShape[outShape.length - 1] !== input.numClasses) {
    model.dispose();
    throw new ConvkitError(`model output has ${outShape?.[outShape.length - 1]} units, the data has ${input.numClasses} classes`, { file });
  }
  return model;
}

/** Loads a model file (path as the user wrote it, resolved against the working directory). */
export async function loadUserModel(name: string): Promise<UserModel> {
  const file = path.resolve(name);
  registerConvkitLayers(); // a topology or a builder may use convkit's layers
  const ext = path.extname(file).toLowerCase();
  if (TOPOLOGY_EXT.includes(ext)) {
    const topology = await readTopologyFile(file);
    return {
      name,
      file,
      description: `${String(topology.class_name)} topology from ${name}`,
      build: async (input) => checkShapes(await tfl.models.modelFromJSON({ modelTopology: topology } as never), input, file),
    };
  }
  try {
    await fs.access(file);
  } catch {
    throw new ConvkitError('model file not found', { file });
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new ConvkitError(`cannot load model module (${(e as Error).message.split('\n')[0]})`, { file });
  }
  const builder = (typeof mod.default === 'function' ? mod.default : mod.build) as ((i: UserModelInput) => tfl.LayersModel | Promise<tfl.LayersModel>) | undefined;
  if (typeof builder !== 'function') throw new ConvkitError('model module exports no builder (export default function, or export function build)', { file });
  const defaults = mod.defaults as UserModel['defaults'];
  return {
    name,
    file,
    description: typeof mod.description === 'string' ? mod.description : `builder from ${name}`,
    defaults: defaults && typeof defaults === 'object' ? defaults : undefined,
    build: async (input) => {
      const model = await builder({ ...input, tfl });
      if (!(model instanceof tfl.LayersModel)) throw new ConvkitError('the builder did not return a tfjs-layers model built with the tfl it was given', { file });
      return checkShapes(model, input, file);
    },
  };
}
