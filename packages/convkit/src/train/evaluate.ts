import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ImageSplit } from '../datasets/types.js';
import { batchPixels, type BatchShape } from './batches.js';

export interface Evaluation {
  loss: number;
  accuracy: number;
  count: number;
  /** Predicted class per image. */
  predicted: Int32Array;
  /** Probability given to the predicted class. */
  confidence: Float32Array;
  /** Probability given to the true class. */
  trueProbability: Float32Array;
}

const EPSILON = 1e-7; // Keras clips probabilities the same way before the log

/** n NHWC images in [0, 1] → n × classes probabilities (e.g. an onnxruntime session on an exported model). */
export type BatchPredict = (x: Float32Array, n: number) => Float32Array | Promise<Float32Array>;

/** A tfjs model's predict as a BatchPredict. */
function layersPredict(model: LayersModel, s: BatchShape): BatchPredict {
  return async (x, n) => {
    const xs = tf.tensor4d(x, [n, s.height, s.width, s.channels]);
    const out = model.predict(xs) as tf.Tensor;
    const probs = (await out.data()) as Float32Array;
    tf.dispose([xs, out]);
    return probs;
  };
}

/** Runs the model (or `predict`) in inference mode over a whole split, batch by batch; loss is categorical cross-entropy. */
export async function evaluateSplit(model: LayersModel | BatchPredict, split: ImageSplit, shape: BatchShape, batchSize = 512): Promise<Evaluation> {
  const predict = typeof model === 'function' ? model : layersPredict(model, shape);
  const n = split.count;
  const predicted = new Int32Array(n);
  const confidence = new Float32Array(n);
  const trueProbability = new Float32Array(n);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const probs = await predict(batchPixels(split, null, start, end, shape), end - start);
    const k = shape.numClasses;
    for (let i = 0; i < end - start; i++) {
      let best = 0;
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const p = probs[i * k + c];
        sum += p;
        if (p > probs[i * k + best]) best = c;
      }
      const label = split.y[start + i];
      // Keras normalises the softmax output before the cross-entropy too.
      const pt = Math.min(1 - EPSILON, Math.max(EPSILON, probs[i * k + label] / sum));
      lossSum += -Math.log(pt);
      predicted[start + i] = best;
      confidence[start + i] = probs[i * k + best];
      trueProbability[start + i] = probs[i * k + label];
      if (best === label) correct++;
    }
  }
  return { loss: lossSum / n, accuracy: correct / n, count: n, predicted, confidence, trueProbability };
}
