import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { loadModel } from '../models/io.js';
import { runFiles } from '../run/layout.js';
import { loadNativePackage } from '../util/native-package.js';
import { modelGraph, UnsupportedLayerError, type InferenceGraph } from './graph.js';

// The predictor: a trained model compiled once into the native backend's inference plan (oneDNN primitives with the
// batch norms folded or fused, one native call per batch), or tfjs-layers' predict when the plan cannot run it
// (a layer the inference graph lacks, or no native addon), with a one-line note saying why.

export interface Predictor {
  readonly inputShape: number[]; // without the batch axis, e.g. [32, 32, 3]
  readonly numClasses: number;
  readonly engine: 'onednn-plan' | 'tfjs'; // which one runs
  readonly note?: string; // one line: why it fell back to tfjs (the unsupported layer)
  predict(x: Float32Array, n: number): Float32Array; // n NHWC images → n × numClasses probabilities, synchronous
  dispose(): void;
}

/** What the predictor needs of the native package. */
interface NativePlanModule {
  InferencePlan: { create(graph: InferenceGraph): { run(x: Float32Array, n: number): Float32Array; dispose(): void } };
}

async function nativePlans(): Promise<NativePlanModule | string> {
  const native = await loadNativePackage();
  return native.mod ? (native.mod as NativePlanModule) : `the oneDNN addon is not loaded (${native.why})`;
}

/** The model folder of `source`: a folder holding model.json, or a run folder (its model/). */
async function modelDir(source: string): Promise<string> {
  const has = (d: string) => fs.access(path.join(d, 'model.json')).then(() => true, () => false);
  if (await has(source)) return source;
  return runFiles(source).model;
}

function checkInput(x: Float32Array, n: number, inSize: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`predict: n must be a positive integer (got ${n})`);
  if (x.length !== n * inSize) throw new RangeError(`predict: x holds ${x.length} values, ${n} images need ${n * inSize}`);
}

/**
 * A run folder (its model/) or a model folder (model.json), or an already loaded LayersModel. `backend`: the tfjs
 * backend to activate (unset or 'auto': tfjs's current one); the native plan runs unless it names a backend other
 * than 'onednn' (e.g. 'cpu': tfjs-layers' predict on it, with a note saying so).
 */
export async function loadPredictor(source: string | LayersModel, opts?: { backend?: string }): Promise<Predictor> {
  const backend = opts?.backend && opts.backend !== 'auto' ? opts.backend : undefined;
  if (backend && tf.getBackend() !== backend && !(await tf.setBackend(backend))) {
    throw new Error(`loadPredictor: tfjs backend "${backend}" failed to initialise`);
  }
  const owned = typeof source === 'string';
  const model = typeof source === 'string' ? await loadModel(await modelDir(source)) : source;
  const inputShape = model.inputs[0].shape.slice(1) as number[];
  const outShape = model.outputs[0].shape;
  const numClasses = outShape[outShape.length - 1] as number;
  const inSize = inputShape.reduce((a, b) => a * b, 1);
  const disposeModel = () => {
    if (owned) model.dispose();
  };

  let note: string | undefined;
  try {
    const graph = modelGraph(model);
    const native = backend && backend !== 'onednn' ? `the tfjs backend "${backend}" was asked for` : await nativePlans();
    if (typeof native === 'string') {
      note = `running tfjs-layers predict: ${native}`;
    } else {
      const plan = native.InferencePlan.create(graph);
      return {
        inputShape, numClasses, engine: 'onednn-plan',
        predict(x, n) {
          checkInput(x, n, inSize);
          return plan.run(x, n);
        },
        dispose() {
          plan.dispose();
          disposeModel();
        },
      };
    }
  } catch (e) {
    if (!(e instanceof UnsupportedLayerError)) {
      disposeModel();
      throw e;
    }
    note = `running tfjs-layers predict: ${e.message}`;
  }
  return {
    inputShape, numClasses, engine: 'tfjs', note,
    predict(x, n) {
      checkInput(x, n, inSize);
      return tf.tidy(() => {
        const y = model.predict(tf.tensor(x, [n, ...inputShape]), { batchSize: n }) as tf.Tensor;
        return (y.dataSync() as Float32Array).slice(); // a copy: the backend may reuse a disposed tensor's buffer
      });
    },
    dispose: disposeModel,
  };
}
