import type { LayersModel } from '@tensorflow/tfjs-layers';
import { learningRate, setLearningRate } from '../loop.js';
import type { EpochLogs, StatefulCallback, TrainingContext } from './callback.js';
import { Monitor, type MonitorMode, type MonitorState } from './monitor.js';

export interface ReduceLROnPlateauOptions {
  model: LayersModel;
  monitor?: string;
  mode?: MonitorMode;
  /** Epochs without improvement before multiplying the learning rate by `factor`. */
  patience: number;
  factor?: number;
  minDelta?: number;
  minLr?: number;
  /** Epochs to wait after a reduction before counting again. */
  cooldown?: number;
  log?: (m: string) => void;
}

interface ReduceLRState extends MonitorState {
  cooldownLeft: number;
}

/** Keras's ReduceLROnPlateau: lr ← max(lr × factor, minLr) after `patience` epochs without improvement. */
export class ReduceLROnPlateau implements StatefulCallback {
  readonly stateKey = 'reduce-lr';
  readonly monitor: Monitor;
  readonly factor: number;
  readonly minLr: number;
  private cooldownLeft = 0;

  constructor(readonly o: ReduceLROnPlateauOptions) {
    this.factor = o.factor ?? 0.1;
    if (!(this.factor > 0 && this.factor < 1)) throw new Error(`ReduceLROnPlateau factor must be in (0, 1), got ${this.factor}`);
    this.minLr = o.minLr ?? 0;
    this.monitor = new Monitor(o.monitor ?? 'val_loss', { mode: o.mode, minDelta: o.minDelta ?? 1e-4 });
  }

  onEpochEnd(epoch: number, logs: EpochLogs, _ctx: TrainingContext): void {
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.monitor.wait = 0;
    }
    if (this.monitor.update(epoch, logs)) return;
    if (this.cooldownLeft > 0 || this.monitor.wait < this.o.patience) return;
    const lr = learningRate(this.o.model);
    if (lr === undefined || lr <= this.minLr) return;
    const next = Math.max(lr * this.factor, this.minLr);
    setLearningRate(this.o.model, next);
    this.o.log?.(`convkit: epoch ${epoch}: ${this.monitor.metric} did not improve for ${this.monitor.wait} epochs; learning rate ${lr} → ${next}`);
    this.cooldownLeft = this.o.cooldown ?? 0;
    this.monitor.wait = 0;
  }

  getState(): ReduceLRState {
    return { ...this.monitor.getState(), cooldownLeft: this.cooldownLeft };
  }
  setState(s: unknown): void {
    const st = s as ReduceLRState;
    this.monitor.setState(st);
    this.cooldownLeft = st.cooldownLeft;
  }
}
