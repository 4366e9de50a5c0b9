import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { BatchLogs, Callback, EpochLogs, TrainingContext } from './callback.js';
import { EventFileWriter, filterEventFiles, type TfEvent } from './tfevents.js';

export interface TensorBoardOptions {
  /** `DIR/tb`: event files go to `train/` and `validation/` under it, like Keras. */
  logDir: string;
  model: LayersModel;
  /** Also write `batch_loss` / `batch_accuracy` (running means, as Keras) at every batch. */
  batches?: boolean;
  /** Weight histograms per epoch in `train/`. */
  histograms?: boolean;
}

/** Global step of batch `batch` (0-based) of epoch `epoch` (1-based). */
const globalStep = (epoch: number, batch: number, steps: number) => (epoch - 1) * steps + batch;

/**
 * Keras's TensorBoard callback: `epoch_loss`, `epoch_accuracy` (+ `epoch_learning_rate`) in `train/`,
 * the validation metrics under the same tags in `validation/`; steps are 0-based epochs as in Keras.
 */
export class TensorBoard implements Callback {
  private train: EventFileWriter | null = null;
  private validation: EventFileWriter | null = null;

  constructor(readonly o: TensorBoardOptions) {}

  get trainDir(): string {
    return path.join(this.o.logDir, 'train');
  }
  get validationDir(): string {
    return path.join(this.o.logDir, 'validation');
  }

  onTrainBegin(): void {
    mkdirSync(this.trainDir, { recursive: true });
    mkdirSync(this.validationDir, { recursive: true });
    this.train = new EventFileWriter(this.trainDir);
    this.validation = new EventFileWriter(this.validationDir);
  }

  onBatchEnd(epoch: number, logs: BatchLogs, ctx: TrainingContext): void {
    const p = ctx.epochProgress;
    if (!this.o.batches || !this.train || !p) return;
    const step = globalStep(epoch, logs.batch, ctx.stepsPerEpoch);
    this.train.scalar('batch_loss', p.lossSum / p.seen, step);
    this.train.scalar('batch_accuracy', p.accSum / p.seen, step);
  }

  onEpochEnd(epoch: number, logs: EpochLogs): void {
    if (!this.train || !this.validation) return;
    const step = epoch - 1;
    this.train.scalar('epoch_loss', logs.loss, step);
    this.train.scalar('epoch_accuracy', logs.accuracy, step);
    if (logs.lr !== undefined) this.train.scalar('epoch_learning_rate', logs.lr, step);
    if (logs.val_loss !== undefined) this.validation.scalar('epoch_loss', logs.val_loss, step);
    if (logs.val_accuracy !== undefined) this.validation.scalar('epoch_accuracy', logs.val_accuracy, step);
    if (this.o.histograms) {
      for (const w of this.o.model.weights) this.train.histogram(w.originalName, w.read().dataSync() as Float32Array, step);
    }
    this.train.flush();
    this.validation.flush();
  }

  onTrainEnd(): void {
    this.train?.close();
    this.validation?.close();
    this.train = this.validation = null;
  }
}

/**
 * Before a resumed run appends new event files: drops from the old ones every point after the checkpoint
 * (epochs > `epoch`, batches past `epoch`/`batch`), so TensorBoard shows each step once.
 */
export async function trimTensorBoard(logDir: string, epoch: number, batch: number, stepsPerEpoch: number): Promise<void> {
  const lastBatchStep = globalStep(epoch + 1, batch, stepsPerEpoch); // first step not covered by the checkpoint
  const keep = (e: TfEvent) => {
    const tag = e.summary?.value?.[0]?.tag ?? '';
    const step = e.step ?? 0;
    return tag.startsWith('batch_') ? step < lastBatchStep : step <= epoch - 1;
  };
  await filterEventFiles(path.join(logDir, 'train'), keep);
  await filterEventFiles(path.join(logDir, 'validation'), keep);
}
