import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { exists } from '../../util/atomic.js';
import { readCheckpoint } from '../../run/checkpoint.js';
import type { SelectedCheckpoint } from '../../run/result.js';
import type { ModelCheckpoint } from '../callbacks/checkpoint.js';

/** The result's `selected`. */
export type ChosenCheckpoint = SelectedCheckpoint;

/**
 * Puts the weights of the best checkpoint back into the model before the one evaluation on the test set, when the
 * validation split is independent of the test set; with validation on the test set the final weights stay (the
 * course's behaviour), since choosing among epochs by test accuracy would make the figure more optimistic still.
 */
export async function loadChosenWeights(model: LayersModel, checkpoint: ModelCheckpoint, useBest: boolean): Promise<ChosenCheckpoint> {
  const m = checkpoint.monitor;
  const last: ChosenCheckpoint = { checkpoint: 'last', epoch: null, monitor: m.metric, value: null };
  if (!useBest || m.bestEpoch === null || !(await exists(checkpoint.bestDir))) return last;
  const ck = await readCheckpoint(checkpoint.bestDir);
  model.setWeights(ck.weights);
  tf.dispose([...ck.weights, ...ck.optimizerWeights.map((w) => w.tensor), ...[...ck.callbackTensors.values()].flat()]);
  return { checkpoint: 'best', epoch: ck.state.epoch, monitor: m.metric, value: m.best };
}
