// Gradient of OneDnnFusedConv2D.
//
// The engine calls each input's closure inside its own tidy(), and only for
// inputs on the path to the loss (no dx for a model's first layer). dy
// through relu (one native pass) and, when there is a bias, the filter and
// bias gradients (one oneDNN backward-weights call) are therefore computed
// in the body of gradFunc, whose scope lasts for the whole backward pass;
// the closures hand them out. dx stays lazy.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs-core';
import {
  OneDnnConv2DBackpropFilterBias, OneDnnFusedConv2D, OneDnnReluGrad,
} from '../kernels/custom_names.js';
import type { OneDnnFusedConv2DAttrs } from '../kernels/custom_names.js';
import { isMaskedFor } from '../patches/relu_marks.js';

export const oneDnnFusedConv2DGradConfig: GradConfig = {
  kernelName: OneDnnFusedConv2D,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
    const [x, filter, y] = saved;
    const a = attrs as unknown as OneDnnFusedConv2DAttrs;
    const engine = tf.engine();
    // (A max pool's gradient may already have applied the mask: relu_marks.ts.)
    const dyAct = a.activation === 'relu' && !isMaskedFor(dy as tf.Tensor, y)
      ? engine.runKernel(OneDnnReluGrad, { dy: dy as tf.Tensor, y }, {}) as tf.Tensor
      : dy as tf.Tensor;
    const convAttrs = { strides: a.strides, pad: a.pad, dataFormat: 'NHWC', dimRoundingMode: a.dimRoundingMode };
    const grads: Record<string, () => tf.Tensor> = {
      x: () => engine.runKernel(tf.Conv2DBackpropInput, { dy: dyAct, filter },
        { ...convAttrs, inputShape: x.shape } as unknown as NamedAttrMap) as tf.Tensor,
    };
    if (a.hasBias) {
      const [dw, db] = engine.runKernel(OneDnnConv2DBackpropFilterBias, { x, dy: dyAct },
        { ...convAttrs, filterShape: filter.shape } as unknown as NamedAttrMap) as tf.Tensor[];
      grads.filter = () => dw;
      grads.bias = () => tf.reshape(db, a.biasShape);
    } else {
      grads.filter = () => engine.runKernel(tf.Conv2DBackpropFilter, { x, dy: dyAct },
        { ...convAttrs, filterShape: filter.shape } as unknown as NamedAttrMap) as tf.Tensor;
    }
    return grads;
  },
};
