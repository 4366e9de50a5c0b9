import type { TableOption } from '../util/option-table.js';

/** "24,48" → [24, 48]; values are checked by the prepare schema (so "0" or "x" fail with one line, exit 2). */
function numberList(value: string): number[] {
  return value.split(',').map((s) => (s.trim() === '' ? NaN : Number(s.trim())));
}

function stringList(value: string): string[] {
  return value.split(',').map((s) => s.trim());
}

/**
 * The options of `convkit prepare gtsrb`, declared once: PrepareGtsrbSchema (gtsrb.ts) is built from this table, and
 * so are the command's options (cli/prepare.ts); a training config's `prepare:` block takes one size and one mode of
 * the same schema (cache.ts). Plain data, so that `convkit prepare gtsrb --help` loads no zod.
 */
export const PREPARE_OPTIONS = [
  { key: 'out', arg: 'dir', help: 'folder for the .h5 files', value: 'nonEmptyText', required: true, mandatory: true },
  { key: 'sizes', flag: '--size', arg: 'list', help: 'square sizes in pixels, comma-separated', value: 'custom', parse: numberList, default: [24, 48], defaultText: '24,48' },
  { key: 'modes', flag: '--mode', arg: 'list', help: 'RGB, RGB-HE, L, L-HE, L-LHE, L-CLAHE, comma-separated', value: 'custom', parse: stringList, default: ['RGB', 'RGB-HE', 'L', 'L-LHE'], defaultText: 'RGB,RGB-HE,L,L-LHE' },
  { key: 'scale', arg: 'x', help: 'keep this fraction of train and test (seeded, stratified by class)', value: 'custom', parse: Number, default: 1 },
  { key: 'roi', help: 'crop each image to its region of interest first', value: 'flag', default: false },
  { key: 'seed', arg: 'n', help: 'seed for the training-set shuffle and --scale', value: 'nonNegativeInt', default: 42 },
  { key: 'skipBad', help: 'skip bad rows and images (counted in the report) instead of stopping', value: 'flag', default: false },
  { key: 'testGt', arg: 'file', help: 'GT-final_test.csv when it is not in Final_Test/ or Final_Test/Images/', value: 'nonEmptyText' },
  { key: 'testRoot', arg: 'dir', help: "take the test set from this GTSRB folder's Final_Test/ (for a copy of the training set alone)", value: 'nonEmptyText' },
  { key: 'exclude', arg: 'file', help: 'leave out the images FILE lists: the top-level "exclude" array of a convkit audit JSON, or one path per line (# comments); paths relative to <root>, or absolute', value: 'nonEmptyText' },
  { key: 'workers', arg: 'n', help: 'worker threads (default: one per core)', value: 'positiveInt' },
  { key: 'force', help: 'replace sets that already exist in --out (else: kept when made from the same source and parameters, an error when not)', value: 'flag', default: false },
] as const satisfies readonly TableOption[];
