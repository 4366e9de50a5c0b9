import { cosineWithWarmup } from './cosine.js';
import { oneCycle } from './one-cycle.js';
import { stepDecay } from './step.js';

export const LR_SCHEDULES = ['constant', 'cosine', 'one-cycle', 'step'] as const;
export type LrScheduleName = (typeof LR_SCHEDULES)[number];

export interface LrScheduleOptions {
  name: LrScheduleName;
  /** Peak (cosine, one-cycle) or initial (step) learning rate. */
  lr: number;
  epochs: number;
  stepsPerEpoch: number;
  /** cosine: epochs of linear warmup; one-cycle: epochs of the rising phase (default 30 % of the run). */
  warmupEpochs?: number;
  /** cosine: learning rate at the end. */
  floor?: number;
  /** step: epochs between decays, and the factor. */
  stepEvery?: number;
  stepFactor?: number;
}

/** The learning rate of global step t (0-based, counted over the whole run), as a pure function: resumed runs need no state. */
export function scheduleAt(o: LrScheduleOptions, t: number): number {
  const total = o.epochs * o.stepsPerEpoch;
  switch (o.name) {
    case 'constant':
      return o.lr;
    case 'cosine':
      return cosineWithWarmup(t, { lr: o.lr, total, warmup: Math.round((o.warmupEpochs ?? 0) * o.stepsPerEpoch), floor: o.floor ?? 0 });
    case 'one-cycle':
      return oneCycle(t, { lr: o.lr, total, pctStart: o.warmupEpochs !== undefined && o.warmupEpochs > 0 ? Math.min(1, o.warmupEpochs / o.epochs) : 0.3 });
    case 'step':
      return stepDecay(Math.floor(t / o.stepsPerEpoch) + 1, { lr: o.lr, every: o.stepEvery ?? 10, factor: o.stepFactor ?? 0.5 });
  }
}
