import { selectSplit, type ImageSplit } from '../../datasets/types.js';
import { stratifiedSplit } from '../../util/rng.js';
import { trackSplit } from './split.js';

/** Fraction of a GTSRB set's tracks held out when validation is `auto`. */
export const DEFAULT_TRACK_FRACTION = 0.1;

export type ValidationSetting = 'auto' | 'test' | number;

export interface ValidationChoice {
  train: ImageSplit;
  validation: ImageSplit;
  /** tracks: whole tracks of train held out; images: single images of train held out; test: the test set itself. */
  kind: 'tracks' | 'images' | 'test';
  fraction?: number;
  /** Said in the run's result when the numbers that pick the checkpoint are not independent of the test figure. */
  note?: string;
}

export const TEST_AS_VALIDATION_NOTE =
  'validation on the test set (--validation test, as in the course): checkpoints, early stopping and learning-rate changes looked at the test images, so the test accuracy is optimistic';

/**
 * Where validation comes from. `auto` holds out 10 % of the tracks of a set that records them (GTSRB), else uses
 * the test set as before; a fraction holds out whole tracks when the set has them, single images otherwise.
 */
export function chooseValidation(setting: ValidationSetting, train: ImageSplit, test: ImageSplit, seed: number, pixels: number): ValidationChoice {
  const hasTracks = !!train.tracks?.some((t) => t >= 0);
  if (setting === 'test' || (setting === 'auto' && !hasTracks)) return { train, validation: test, kind: 'test', note: TEST_AS_VALIDATION_NOTE };
  const fraction = setting === 'auto' ? DEFAULT_TRACK_FRACTION : setting;
  if (hasTracks) {
    const s = trackSplit(train.y, train.tracks!, fraction, seed);
    return { train: selectSplit(train, s.train, pixels), validation: selectSplit(train, s.validation, pixels), kind: 'tracks', fraction };
  }
  const s = stratifiedSplit(train.y, fraction, seed);
  return { train: selectSplit(train, s.train, pixels), validation: selectSplit(train, s.test, pixels), kind: 'images', fraction };
}
