// Importing this module registers every built-in model. The builders live in mnist.ts and gtsrb.ts, which import
// tfjs: `load` imports them only when a model is built, so listing the zoo (`convkit models`) never loads tfjs.
import { registerModel } from './registry.js';

const mnist = () => import('./mnist.js');
const gtsrb = () => import('./gtsrb.js');
const compact = () => import('./compact.js');
const gtsrbDefaults = { batchSize: 64 };

registerModel({ name: 'mnist-dnn', description: 'Flatten → Dense(100) → Dense(100) → Dense(classes) (Fidle MNIST DNN)', load: async () => (await mnist()).mnistDnn });
registerModel({ name: 'mnist-cnn', description: 'Conv(8)–Pool–Conv(16)–Pool–Dense(100) with dropout (Fidle MNIST CNN)', load: async () => (await mnist()).mnistCnn });
registerModel({ name: 'gtsrb-v1', description: 'Conv(96)–Pool–Conv(192)–Pool–Dense(1500) with dropout (Fidle GTSRB v1)', load: async () => (await gtsrb()).gtsrbV1, defaults: gtsrbDefaults });
registerModel({ name: 'gtsrb-v2', description: '3 pairs of 3×3 convs (64, 128, 256) + pools, Dense(512) (Fidle GTSRB v2)', load: async () => (await gtsrb()).gtsrbV2, defaults: gtsrbDefaults });
registerModel({ name: 'gtsrb-v3', description: '5×5 convs (32; 64, 128) with batch norm, Dense(512)+BN (Fidle GTSRB v3)', load: async () => (await gtsrb()).gtsrbV3, defaults: gtsrbDefaults });
registerModel({ name: 'gtsrb-resnet', description: 'compact ResNet: conv-ReLU-BN stages 32, 64, 128 (one residual block in the last two), max pools, global average pooling', load: async () => (await compact()).gtsrbResnet, defaults: gtsrbDefaults });
registerModel({ name: 'gtsrb-resnet-wide', description: 'gtsrb-resnet 1.5× wider: stages 48, 96, 192, dropout 0.3 (the GTSRB recipe\'s model)', load: async () => (await compact()).gtsrbResnetWide, defaults: gtsrbDefaults });
registerModel({ name: 'gtsrb-vgg-bn', description: 'VGG-style conv-ReLU-BN stages (32, 64, 128, 256) with max pools and global average pooling', load: async () => (await compact()).gtsrbVggBn, defaults: gtsrbDefaults });

export * from './registry.js';
