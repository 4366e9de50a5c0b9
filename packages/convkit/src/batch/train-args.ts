import { describeAugment, type AugmentSpec } from '../train/augment/schema.js';
import type { TrainConfigInput } from '../train/config.js';
import type { Job } from './plan.js';

/** Schema keys whose `convkit train` option is not simply their kebab-case. */
const FLAG_NAMES: Record<string, string> = { tensorboardBatches: '--tb-batches', tensorboardHistograms: '--tb-histograms' };
/** Schema keys `convkit train` has no option for; the batch refuses them (checked by train-args.test.ts against the CLI). */
export const NO_FLAG = new Set(['checkpointMode']);

export function flagOf(key: string): string {
  return FLAG_NAMES[key] ?? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The options of a job as `convkit train` arguments (progress as lines unless the config says otherwise). */
export function optionArgs(options: Partial<TrainConfigInput>): string[] {
  const args: string[] = [];
  const withProgress = { progress: 'lines', ...options } as Record<string, unknown>;
  for (const [key, value] of Object.entries(withProgress)) {
    if (value === undefined || value === false) continue;
    if (value === true) args.push(flagOf(key));
    else if (key === 'augment' && typeof value === 'object') args.push('--augment', describeAugment(value as AugmentSpec));
    else args.push(flagOf(key), String(value));
  }
  return args;
}

/** `convkit train` arguments to start a job from scratch. */
export function freshArgs(job: Job): string[] {
  return ['train', '--model', job.model, '--data', job.dataset, '--out', job.runDir, ...optionArgs(job.options)];
}

/** `convkit train` arguments to continue a job's unfinished run from its checkpoint. */
export function resumeArgs(job: Job): string[] {
  return ['train', '--resume', job.runDir, '--progress', 'lines'];
}
