// Entry of the bundle of tfjs-core's own jasmine suite run against `onednn` (see run.mjs).
// Bundled so the suite, tfjs-backend-cpu and this backend share one copy of tfjs-core's ESM modules.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import { setTestEnvs, setupTestFilters } from '@tensorflow/tfjs-core/dist/jasmine_util.js';
import { isAvailable, loadError } from '../../src/index.js';
import { customInclude } from './exclusions.js';

if (!isAvailable()) throw loadError ?? new Error('onednn backend not available');
setTestEnvs([{ name: 'onednn', backendName: 'onednn', isDataSync: true }]);
setupTestFilters([], customInclude);
await import('@tensorflow/tfjs-core/dist/tests.js');
