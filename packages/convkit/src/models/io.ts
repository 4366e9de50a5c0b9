import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConvkitError } from '../util/errors.js';
import { writeDirAtomic } from '../util/atomic.js';
import { registerConvkitLayers } from './layers/index.js';

const WEIGHTS_FILE = 'weights.bin';

/** Writes the artifacts of `model.save` as tfjs's `model.json` + one `weights.bin` into `dir` (no tfjs-node needed). */
export async function writeModelFiles(model: tfl.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        convertedBy: 'convkit',
        modelTopology: artifacts.modelTopology,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
      };
      await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      await fs.writeFile(path.join(dir, WEIGHTS_FILE), new Uint8Array(weightData));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

/** Saves a model into `dir` atomically: the folder appears complete or not at all. */
export async function saveModel(model: tfl.LayersModel, dir: string): Promise<void> {
  await writeDirAtomic(dir, (tmp) => writeModelFiles(model, tmp));
}

/** Loads a model saved by `saveModel` (or any single-shard-or-more tfjs layers model folder). */
export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  const jsonPath = path.join(dir, 'model.json');
  let json: any;
  try {
    json = JSON.parse(await fs.readFile(await confined(dir, 'model.json', jsonPath), 'utf8'));
  } catch (e) {
    if (e instanceof ConvkitError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConvkitError(code === 'ENOENT' ? 'model.json not found' : `cannot parse model.json (${(e as Error).message})`, { file: jsonPath });
  }
  const manifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] = json.weightsManifest ?? [];
  const buffers: ArrayBuffer[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const group of manifest) {
    for (const p of group.paths) {
      const file = path.join(dir, String(p));
      const real = await confined(dir, p, file);
      try {
        const b = await fs.readFile(real);
        buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
      } catch {
        throw new ConvkitError('weights file missing', { file });
      }
    }
    specs.push(...group.weights);
  }
  const weightData = tf.io.concatenateArrayBuffers(buffers);
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (weightData.byteLength !== expected) {
    throw new ConvkitError(`weights hold ${weightData.byteLength} bytes, model.json expects ${expected}`, { file: path.join(dir, WEIGHTS_FILE) });
  }
  registerConvkitLayers();
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData, trainingConfig: json.trainingConfig }));
}

/**
 * The real path of a file a model folder names (model.json, a weights path of its manifest), refused when it would
 * leave the folder: an absolute path, a `..` segment, or a symlink pointing outside. A model folder may come from
 * someone else; its manifest must not make us read other files.
 */
async function confined(dir: string, name: unknown, file: string): Promise<string> {
  if (typeof name !== 'string' || name === '' || path.isAbsolute(name) || name.split(/[\\/]/).includes('..') || name.includes('\0')) {
    throw new ConvkitError(`weights path ${JSON.stringify(name)} leaves the model folder`, { file: path.join(dir, 'model.json') });
  }
  let realDir: string;
  let real: string;
  try {
    realDir = await fs.realpath(dir);
    real = await fs.realpath(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConvkitError(name === 'model.json' ? (code === 'ENOENT' ? 'model.json not found' : `cannot read model.json (${code})`) : 'weights file missing', { file });
  }
  if (!real.startsWith(realDir + path.sep)) throw new ConvkitError(`${name} is a link leading out of the model folder`, { file });
  return real;
}
