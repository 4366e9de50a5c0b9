// Gradient of OneDnnFusedMatMul (y = act(op(a)·op(b) + bias), op = optional
// transpose, act = relu or linear).
//
// As for the fused conv: dy' = dy·(y>0) (one native pass, relu only) is
// computed in the body of gradFunc, whose scope lasts for the whole backward
// pass; the engine then calls only the closures of the inputs on the path to
// the loss, each inside its own tidy(): the input gradient (not at all for a
// model's first layer), the weight gradient and the bias gradient (one
// reduction of dy' over every axis but the last). The matmuls are tfjs's own
// formulas for each transpose combination, on BatchMatMul (a and b have the
// same batch dims here: the patch falls back to tfjs otherwise).
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs-core';
import { OneDnnFusedMatMul, OneDnnReluGrad } from '../kernels/custom_names.js';
import type { OneDnnFusedMatMulAttrs } from '../kernels/custom_names.js';

export const oneDnnFusedMatMulGradConfig: GradConfig = {
  kernelName: OneDnnFusedMatMul,
  inputsToSave: ['a', 'b'],
  outputsToSave: [true],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
    const [a, b, y] = saved;
    const { transposeA: tA, transposeB: tB, activation, hasBias, biasShape } =
      attrs as unknown as OneDnnFusedMatMulAttrs;
    const engine = tf.engine();
    const d = activation === 'relu'
      ? engine.runKernel(OneDnnReluGrad, { dy: dy as tf.Tensor, y }, {}) as tf.Tensor
      : dy as tf.Tensor;
    const mm = (p: tf.Tensor, q: tf.Tensor, transposeA: boolean, transposeB: boolean) =>
      engine.runKernel(tf.BatchMatMul, { a: p, b: q }, { transposeA, transposeB }) as tf.Tensor;
    const grads: Record<string, () => tf.Tensor> = {
      a: () => (!tA ? mm(d, b, false, !tB) : tB ? mm(b, d, true, true) : mm(b, d, false, true)),
      b: () => (!tB ? mm(a, d, !tA, false) : tA ? mm(d, a, true, true) : mm(d, a, true, false)),
    };
    if (hasBias) {
      grads.bias = () => tf.reshape(tf.sum(d, Array.from({ length: d.rank - 1 }, (_, i) => i)), biasShape);
    }
    return grads;
  },
};
