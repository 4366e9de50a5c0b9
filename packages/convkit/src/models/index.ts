// The model zoo and model files. The builders live in mnist.ts, gtsrb.ts, compact.ts, stn.ts and vit.ts, which import
// tfjs: `load` imports them only when a model is built, so listing the zoo (`convkit models`) never loads tfjs.
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ConvkitError } from '../util/errors.js';
import { isModelFile } from './model-file.js';
import type { ModelInput, ModelSpec } from './types.js';
import type { UserModel } from './user-model.js';

export type { ModelBuilder, ModelInput, ModelSpec } from './types.js';

const mnist = () => import('./mnist.js');
const gtsrb = () => import('./gtsrb.js');
const compact = () => import('./compact.js');
const vit = () => import('./vit.js');
const stn = () => import('./stn.js');
const gtsrbDefaults = { batchSize: 64 };

/** The built-in models (`--model NAME`): the one list, in the order `convkit models` prints them. */
const ZOO: readonly ModelSpec[] = [
  { name: 'mnist-dnn', description: 'Flatten → Dense(100) → Dense(100) → Dense(classes) (Fidle MNIST DNN)', load: async () => (await mnist()).mnistDnn },
  { name: 'mnist-cnn', description: 'Conv(8)–Pool–Conv(16)–Pool–Dense(100) with dropout (Fidle MNIST CNN)', load: async () => (await mnist()).mnistCnn },
  { name: 'gtsrb-v1', description: 'Conv(96)–Pool–Conv(192)–Pool–Dense(1500) with dropout (Fidle GTSRB v1)', load: async () => (await gtsrb()).gtsrbV1, defaults: gtsrbDefaults },
  { name: 'gtsrb-v2', description: '3 pairs of 3×3 convs (64, 128, 256) + pools, Dense(512) (Fidle GTSRB v2)', load: async () => (await gtsrb()).gtsrbV2, defaults: gtsrbDefaults },
  { name: 'gtsrb-v3', description: '5×5 convs (32; 64, 128) with batch norm, Dense(512)+BN (Fidle GTSRB v3)', load: async () => (await gtsrb()).gtsrbV3, defaults: gtsrbDefaults },
  { name: 'gtsrb-resnet', description: 'compact ResNet: conv-ReLU-BN stages 32, 64, 128 (one residual block in the last two), max pools, global average pooling', load: async () => (await compact()).gtsrbResnet, defaults: gtsrbDefaults },
  { name: 'gtsrb-resnet-wide', description: 'gtsrb-resnet 1.5× wider: stages 48, 96, 192, dropout 0.3 (the GTSRB recipe\'s model)', load: async () => (await compact()).gtsrbResnetWide, defaults: gtsrbDefaults },
  { name: 'gtsrb-stn-wide', description: 'spatial transformer (localisation Conv(32)–Conv(64)–Dense(64)–Dense(6), identity at start; bilinear resampling) in front of gtsrb-resnet-wide', load: async () => (await stn()).gtsrbStnWide, defaults: gtsrbDefaults, inferenceGraph: false },
  { name: 'gtsrb-vgg-bn', description: 'VGG-style conv-ReLU-BN stages (32, 64, 128, 256) with max pools and global average pooling', load: async () => (await compact()).gtsrbVggBn, defaults: gtsrbDefaults },
  { name: 'vit-tiny', description: 'vision transformer: 4×4 patches → 64-wide tokens, position embedding, 4 pre-norm blocks (4-head self-attention, GELU MLP 128), token mean', load: async () => (await vit()).vitTiny, defaults: { batchSize: 128 }, inferenceGraph: false },
];

const models = new Map<string, ModelSpec>(ZOO.map((m) => [m.name, m]));

export function getModel(name: string): ModelSpec {
  const spec = models.get(name);
  if (!spec) throw new ConvkitError(`option --model: unknown model "${name}" (known: ${[...models.keys()].join(', ')}, or a model file: .json topology, .js/.ts builder)`);
  return spec;
}

export function listModels(): ModelSpec[] {
  return [...models.values()];
}

/** The zoo models the inference graph expresses (all but those with `inferenceGraph: false`, e.g. vit-tiny). */
export function listGraphModels(): ModelSpec[] {
  return listModels().filter((m) => m.inferenceGraph !== false);
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
