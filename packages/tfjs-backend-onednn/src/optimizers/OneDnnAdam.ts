// Adam whose per-variable update runs as one native pass over
// (value, gradient, m, v) instead of tfjs-core's ~12 tensor ops per variable.
//
// It is a subclass of tfjs-core's AdamOptimizer: same constructor, same
// state (accBeta1/accBeta2, `${name}/m`, `${name}/v` accumulators), same
// serialization (className 'Adam'), same arithmetic. It only takes the fast
// path when the active backend is 'onednn', every tensor involved is
// float32 and the tfjs version gate (../tfjs_internals.ts) is open; otherwise
// it defers to AdamOptimizer.applyGradients unchanged.
//
// The fast path updates buffers in place when no other tensor shares them
// (backend refCount === 1); otherwise it writes new buffers and assigns.
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAME, OneDnnBackend } from '../backend.js';
import { addon } from '../native.js';
import { adamState } from '../tfjs_internals.js';

/** tfjs-core's NamedTensor (not re-exported from its index). */
interface NamedTensor { name: string; tensor: tf.Tensor }

export class OneDnnAdam extends tf.AdamOptimizer {
  /** Number of applyGradients calls that took the native path (for tests). */
  nativeSteps = 0;

  constructor(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null) {
    super(learningRate, beta1, beta2, epsilon as number);
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const backend = tf.getBackend() === BACKEND_NAME ? tf.backend() : null;
    // AdamOptimizer's private state is only used behind the tfjs version gate.
    const state = adamState(this);
    if (!addon || !(backend instanceof OneDnnBackend) || !state) {
      super.applyGradients(variableGradients as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
      return;
    }
    const isArray = Array.isArray(variableGradients);
    const names = isArray ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const gradOf = (name: string, i: number): tf.Tensor | undefined =>
      isArray ? variableGradients[i].tensor : variableGradients[name];
    // All-or-nothing: any non-float32 participant -> the stock implementation.
    for (let i = 0; i < names.length; i++) {
      const g = gradOf(names[i], i);
      const value = tf.engine().registeredVariables[names[i]];
      if (!value || value.dtype !== 'float32' || (g != null && !backend.f32(g))) {
        super.applyGradients(variableGradients as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
        return;
      }
    }
    const native = addon;
    const c1 = 1 - state.accBeta1.dataSync()[0];
    const c2 = 1 - state.accBeta2.dataSync()[0];
    const eps = this.epsilon;
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        if (state.accumulatedFirstMoment[i] == null) {
          state.accumulatedFirstMoment[i] = {
            originalName: `${name}/m`,
            variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
          };
        }
        if (state.accumulatedSecondMoment[i] == null) {
          state.accumulatedSecondMoment[i] = {
            originalName: `${name}/v`,
            variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
          };
        }
        const g = gradOf(name, i);
        if (g == null) return;
        const m = state.accumulatedFirstMoment[i].variable;
        const v = state.accumulatedSecondMoment[i].variable;
        const gv = backend.f32(g), xv = backend.f32(value), mv = backend.f32(m), vv = backend.f32(v);
        if (!gv || !xv || !mv || !vv || gv.length !== xv.length) {
          throw new Error(`OneDnnAdam: unexpected gradient for ${name}`);
        }
        const inPlace = backend.refs(value) === 1 && backend.refs(m) === 1 && backend.refs(v) === 1;
        if (inPlace) {
          native.adamUpdate(xv, gv, mv, vv, xv, mv, vv, this.learningRate, this.beta1, this.beta2,
            eps, c1, c2);
        } else {
          const nx = new Float32Array(xv.length), nm = new Float32Array(xv.length),
            nv = new Float32Array(xv.length);
          native.adamUpdate(xv, gv, mv, vv, nx, nm, nv, this.learningRate, this.beta1, this.beta2,
            eps, c1, c2);
          m.assign(tf.tensor(nm, m.shape, 'float32'));
          v.assign(tf.tensor(nv, v.shape, 'float32'));
          value.assign(tf.tensor(nx, value.shape, 'float32'));
        }
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
    this.nativeSteps++;
  }
}
