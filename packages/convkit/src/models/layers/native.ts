import * as tf from '@tensorflow/tfjs-core';

// The convkit layers reach the native backend's fused kernels by name only: this folder never imports the backend
// package (the browser bundle, the dashboard's try-it panel, cannot load the addon). Elsewhere the same function runs
// as ordinary tfjs ops, differentiated by tfjs's autodiff.

/** Arguments every convkit layer passes on to tfjs-layers' Layer (name, trainable, input shape, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof import('@tensorflow/tfjs-layers').layers.Layer>[0]>;

/** Whether kernel `name` runs natively: the current backend is `onednn` and registers it (with its gradient). */
export function nativeKernel(name: string): boolean {
  return tf.getBackend() === 'onednn' && tf.getKernel(name, 'onednn') !== undefined;
}

/** Runs the native kernel `name` through tfjs's engine (recorded on the tape: its registered gradient trains it). */
export function runNative<T extends tf.Tensor | tf.Tensor[]>(name: string, inputs: tf.NamedTensorMap, attrs: Record<string, number> = {}): T {
  return tf.engine().runKernel(name, inputs, attrs) as T;
}

/** The one tensor a single-input layer was called on. */
export function oneTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1) throw new Error(`expected one input tensor, got ${inputs.length}`);
    return inputs[0];
  }
  return inputs;
}
