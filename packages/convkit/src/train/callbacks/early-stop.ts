import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { EpochLogs, StatefulCallback, TrainingContext } from './callback.js';
import { Monitor, type MonitorMode, type MonitorState } from './monitor.js';

export interface EarlyStoppingOptions {
  model: LayersModel;
  monitor?: string;
  mode?: MonitorMode;
  /** Epochs without improvement before stopping. */
  patience: number;
  minDelta?: number;
  /** When stopping, put back the weights of the best epoch (Keras's restore_best_weights). */
  restoreBest?: boolean;
  log?: (m: string) => void;
}

interface EarlyStoppingState extends MonitorState {
  stoppedEpoch: number | null;
}

/** Keras's EarlyStopping: stops when `monitor` has not improved by more than minDelta for `patience` epochs. */
export class EarlyStopping implements StatefulCallback {
  readonly stateKey = 'early-stop';
  readonly monitor: Monitor;
  stoppedEpoch: number | null = null;
  private bestWeights: tf.Tensor[] | null = null;

  constructor(readonly o: EarlyStoppingOptions) {
    this.monitor = new Monitor(o.monitor ?? 'val_loss', { mode: o.mode, minDelta: o.minDelta });
  }

  onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext): void {
    if (this.monitor.update(epoch, logs)) {
      if (this.o.restoreBest) this.keepBest(this.o.model.getWeights());
      return;
    }
    if (this.monitor.wait >= this.o.patience) {
      this.stoppedEpoch = epoch;
      ctx.stopTraining = true;
      ctx.stopReason = `early stopping: ${this.monitor.metric} did not improve for ${this.monitor.wait} epochs (best ${this.monitor.best} at epoch ${this.monitor.bestEpoch})`;
      if (this.o.restoreBest && this.bestWeights) {
        this.o.model.setWeights(this.bestWeights);
        ctx.stopReason += `; restored the weights of epoch ${this.monitor.bestEpoch}`;
      }
      this.o.log?.(`convkit: ${ctx.stopReason}`);
    }
  }

  private keepBest(weights: tf.Tensor[]): void {
    if (this.bestWeights) tf.dispose(this.bestWeights);
    this.bestWeights = weights.map((w) => tf.keep(w.clone()));
  }

  getState(): EarlyStoppingState {
    return { ...this.monitor.getState(), stoppedEpoch: this.stoppedEpoch };
  }
  setState(s: unknown): void {
    const st = s as EarlyStoppingState;
    this.monitor.setState(st);
    this.stoppedEpoch = st.stoppedEpoch;
  }
  getStateTensors(): { name: string; tensor: tf.Tensor }[] {
    return (this.bestWeights ?? []).map((tensor, i) => ({ name: `best_${i}`, tensor }));
  }
  setStateTensors(ts: tf.Tensor[]): void {
    this.keepBest(ts);
    tf.dispose(ts);
  }
}
