import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildModel, listGraphModels } from '../models/index.js';
import { selectBackend } from '../train/backend.js';
import { modelGraph, samePads, UnsupportedLayerError, type GraphActivation, type InferenceGraph } from './graph.js';

// The graph is checked by running it with plain tfjs ops (explicit pads, per-channel affine for batch norm) and
// comparing with the model's own predict, on every zoo model with random weights and batch-norm statistics.

function act(x: tf.Tensor, a: GraphActivation): tf.Tensor {
  switch (a) {
    case 'linear': return x;
    case 'relu': return tf.relu(x);
    case 'relu6': return tf.relu6(x);
    case 'elu': return tf.elu(x);
    case 'sigmoid': return tf.sigmoid(x);
    case 'tanh': return tf.tanh(x);
    case 'softmax': return tf.softmax(x);
  }
}

function runGraph(g: InferenceGraph, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const t: tf.Tensor[] = [x];
    for (const n of g.nodes) {
      const pad4 = (v: tf.Tensor4D, p: number[], value: number) => tf.pad(v, [[0, 0], [p[0], p[2]], [p[1], p[3]], [0, 0]], value);
      switch (n.kind) {
        case 'conv2d': {
          let y = tf.conv2d(pad4(t[n.input] as tf.Tensor4D, n.pads, 0), tf.tensor4d(n.filter, n.filterShape), n.strides, 'valid', 'NHWC', n.dilations);
          if (n.bias) y = tf.add(y, tf.tensor1d(n.bias));
          t[n.output] = act(y, n.activation);
          break;
        }
        case 'dense': {
          let y = tf.matMul(t[n.input] as tf.Tensor2D, tf.tensor2d(n.kernel, n.kernelShape));
          if (n.bias) y = tf.add(y, tf.tensor1d(n.bias));
          t[n.output] = act(y, n.activation);
          break;
        }
        case 'scaleShift':
          t[n.output] = tf.add(tf.mul(t[n.input], tf.tensor1d(n.scale)), tf.tensor1d(n.shift));
          break;
        case 'pool': {
          const v = t[n.input] as tf.Tensor4D;
          if (n.pads.some((p) => p > 0)) throw new Error('padded pools are not in the zoo');
          t[n.output] = n.type === 'max' ? tf.maxPool(v, n.size, n.strides, 'valid') : tf.avgPool(v, n.size, n.strides, 'valid');
          break;
        }
        case 'add':
          t[n.output] = tf.addN(n.inputs.map((i) => t[i]));
          break;
        case 'flatten':
          t[n.output] = tf.reshape(t[n.input], [t[n.input].shape[0], -1]);
          break;
        case 'activation':
          t[n.output] = act(t[n.input], n.activation);
          break;
      }
    }
    return t[g.output];
  });
}

/** Random weights everywhere (batch-norm variances positive), so the affine maps and biases are not identities. */
function randomize(model: tfl.LayersModel): void {
  for (const l of model.layers) {
    const ws = l.getWeights();
    if (ws.length === 0) continue;
    l.setWeights(ws.map((w, i) => (l.getClassName() === 'BatchNormalization' && i === ws.length - 1 ? tf.randomUniform(w.shape, 0.5, 2) : tf.randomNormal(w.shape, 0, 0.3))));
  }
}

const SHAPES: Record<string, [number, number, number][]> = { 'mnist-dnn': [[28, 28, 1]], 'mnist-cnn': [[28, 28, 1]], 'gtsrb-v1': [[24, 24, 1], [48, 48, 3]] };

test('every zoo model of the inference graph: its inference graph run with tfjs ops gives the model\'s predictions', async () => {
  await selectBackend('onednn');
  tf.randomNormal([1], 0, 1, 'float32', 1); // seeds tf's global generator for the weights below
  for (const spec of listGraphModels()) {
    for (const shape of SHAPES[spec.name] ?? [spec.name.startsWith('gtsrb-v') ? ([24, 24, 1] as [number, number, number]) : ([32, 32, 3] as [number, number, number])]) {
      const model = await buildModel(spec.name, { inputShape: shape, numClasses: 43 });
      randomize(model);
      const g = modelGraph(model);
      assert.deepEqual(g.tensors[0].shape, shape);
      assert.deepEqual(g.tensors[g.output].shape, [43]);
      const x = tf.randomUniform([3, ...shape]);
      const want = model.predict(x) as tf.Tensor;
      const got = runGraph(g, x);
      const diff = tf.max(tf.abs(tf.sub(want, got))).dataSync()[0];
      assert.ok(diff < 1e-5, `${spec.name} ${shape.join('×')}: max difference ${diff}`);
      if (spec.name.includes('bn') || spec.name.includes('resnet') || spec.name === 'gtsrb-v3') assert.ok(g.nodes.some((n) => n.kind === 'scaleShift'), `${spec.name} has batch norm`);
      tf.dispose([x, want, got]);
      model.dispose();
    }
  }
});

test('same padding is tfjs\'s (the odd pixel at the end) and an unsupported layer is named', async () => {
  await selectBackend('onednn');
  assert.deepEqual(samePads(32, 3, 1, 1), [1, 1]);
  assert.deepEqual(samePads(32, 4, 1, 1), [1, 2]);
  assert.deepEqual(samePads(7, 3, 2, 1), [1, 1]);
  assert.deepEqual(samePads(8, 3, 2, 1), [0, 1]);
  const m = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [9, 9, 2], filters: 4, kernelSize: 4, strides: 2, padding: 'same' }), tfl.layers.flatten(), tfl.layers.dense({ units: 3, activation: 'softmax' })] });
  randomize(m);
  const x = tf.randomUniform([2, 9, 9, 2]);
  const diff = tf.max(tf.abs(tf.sub(m.predict(x) as tf.Tensor, runGraph(modelGraph(m), x)))).dataSync()[0];
  assert.ok(diff < 1e-5, `strided same conv: max difference ${diff}`);
  const ln = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [5], units: 4 }), tfl.layers.layerNormalization(), tfl.layers.dense({ units: 2 })] });
  assert.throws(() => modelGraph(ln), (e: unknown) => e instanceof UnsupportedLayerError && /LayerNormalization/.test(e.message));
});
