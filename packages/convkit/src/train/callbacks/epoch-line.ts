import type { Callback, EpochLogs } from './callback.js';

const f = (v: number | undefined, d = 4) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(d));

/** One plain line per epoch on stderr (the default when stderr is not a terminal). */
export class EpochLine implements Callback {
  constructor(private readonly write: (line: string) => void = (l) => process.stderr.write(l + '\n')) {}

  onEpochEnd(epoch: number, logs: EpochLogs, ctx: { epochs: number }): void {
    this.write(
      `epoch ${epoch}/${ctx.epochs}  loss ${f(logs.loss)}  acc ${f(logs.accuracy)}  val_loss ${f(logs.val_loss)}  val_acc ${f(logs.val_accuracy)}  ${logs.seconds.toFixed(1)}s  ${Math.round(logs.images_per_s)} img/s`,
    );
  }
}
