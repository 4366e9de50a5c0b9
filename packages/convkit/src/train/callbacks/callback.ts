import type { EpochLogs } from '../../run/metrics.js';

/** Metrics of one epoch, one line of the run's metrics. */
export type { EpochLogs };

export interface BatchLogs {
  batch: number;
  size: number;
  loss: number;
  accuracy: number;
}

/** Running sums of the epoch in progress: what a mid-epoch checkpoint needs to finish the epoch's metrics exactly. */
export interface EpochProgress {
  epoch: number;
  /** Batches of this epoch done. */
  batch: number;
  lossSum: number;
  accSum: number;
  seen: number;
  seconds: number;
}

/** What a callback can see and steer during training (Keras's `self.model` / `stop_training`). */
export interface TrainingContext {
  epochs: number;
  stepsPerEpoch: number;
  trainCount: number;
  batchSize: number;
  /** Set to true to stop after the current batch (or epoch); `stopReason` says why. */
  stopTraining: boolean;
  stopReason?: string;
  /** Set with stopTraining when the run must end as failed (NaN loss): the cut epoch is not validated or saved. */
  failed?: boolean;
  /** Set with stopTraining by SIGINT/SIGTERM: the run ends as interrupted, resumable. */
  interrupted?: 'SIGINT' | 'SIGTERM';
  epochProgress?: EpochProgress;
  [key: string]: unknown;
}

/** A callback whose state (best so far, patience counter, LR, …) goes into checkpoints so a resumed run behaves like an uninterrupted one. */
export interface StatefulCallback extends Callback {
  /** Unique key of this callback's entry in a checkpoint. */
  readonly stateKey: string;
  getState(): unknown;
  setState(state: unknown): void;
  /** Tensors to checkpoint beside the JSON state (EarlyStopping's best weights). */
  getStateTensors?(): { name: string; tensor: import('@tensorflow/tfjs-core').Tensor }[];
  setStateTensors?(tensors: import('@tensorflow/tfjs-core').Tensor[]): void;
}

export function isStateful(c: Callback): c is StatefulCallback {
  return typeof (c as StatefulCallback).stateKey === 'string' && typeof (c as StatefulCallback).getState === 'function';
}

/** Small Keras-like hooks; every one is optional. Epochs are numbered from 1. */
export interface Callback {
  onTrainBegin?(ctx: TrainingContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainingContext): void | Promise<void>;
  onBatchEnd?(epoch: number, logs: BatchLogs, ctx: TrainingContext): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: EpochLogs, ctx: TrainingContext): void | Promise<void>;
  onTrainEnd?(ctx: TrainingContext, history: EpochLogs[]): void | Promise<void>;
}

export class CallbackList {
  constructor(readonly callbacks: Callback[]) {}

  async trainBegin(ctx: TrainingContext): Promise<void> {
    for (const c of this.callbacks) await c.onTrainBegin?.(ctx);
  }
  async epochBegin(epoch: number, ctx: TrainingContext): Promise<void> {
    for (const c of this.callbacks) await c.onEpochBegin?.(epoch, ctx);
  }
  async batchEnd(epoch: number, logs: BatchLogs, ctx: TrainingContext): Promise<void> {
    for (const c of this.callbacks) await c.onBatchEnd?.(epoch, logs, ctx);
  }
  async epochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext): Promise<void> {
    for (const c of this.callbacks) await c.onEpochEnd?.(epoch, logs, ctx);
  }
  async trainEnd(ctx: TrainingContext, history: EpochLogs[]): Promise<void> {
    for (const c of this.callbacks) await c.onTrainEnd?.(ctx, history);
  }
}
