// Hand-written: tfjs has no AdamW (no decoupled weight decay in any tfjs optimizer).
import * as tf from '@tensorflow/tfjs-core';

/** Variables decayed by default: convolution and dense kernels (not biases, not batch-norm scales and offsets). */
export const decaysByDefault = (name: string): boolean => /kernel$/.test(name);

/**
 * Decoupled weight decay (Loshchilov & Hutter; Keras's AdamW, `weight_decay`): before each update the optimizer
 * applies, every decayed variable is multiplied by 1 − lr·wd, with the learning rate of that step (so a schedule
 * scales the decay too). Wraps the optimizer instance in place: its class, state and checkpoints stay the same
 * (Adam + this = AdamW). On the native backend the decay is one Multiply per kernel per step, a pass over the
 * weights next to the convolutions' passes over the activations.
 */
export function withDecoupledWeightDecay<T extends tf.Optimizer>(opt: T, weightDecay: number, decays: (name: string) => boolean = decaysByDefault): T {
  if (!(weightDecay > 0)) return opt;
  const apply = opt.applyGradients.bind(opt);
  const o = opt as unknown as { learningRate: number; weightDecay?: number };
  o.weightDecay = weightDecay;
  opt.applyGradients = (variableGradients) => {
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const keep = 1 - o.learningRate * weightDecay;
    tf.tidy(() => {
      for (const name of names) {
        if (!decays(name)) continue;
        const v = tf.engine().registeredVariables[name];
        if (v) v.assign(tf.mul(v, keep));
      }
    });
    apply(variableGradients);
  };
  return opt;
}
