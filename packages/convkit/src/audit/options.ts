import type { TableOption } from '../util/option-table.js';

/** The files `convkit audit --out DIR` writes, and the dashboard looks for under its runs folder. */
export const AUDIT_FILE_NAMES = { json: 'audit.json', html: 'audit.html' } as const;

/**
 * Near-duplicate threshold, in bits of the 143-bit pHash (duplicates.ts): chosen on the full GTSRB training set against
 * gtsrb-mini's test images (docs/audit.md, "Choosing the threshold").
 */
export const DEFAULT_HASH_THRESHOLD = 12;

/** k of the k-fold cross-validation when the caller has no preference. */
export const DEFAULT_SUSPECT_FOLDS = 4;
/**
 * Epochs of each fold model by default: gtsrb-vgg-bn reaches 99 % training accuracy in 8 on gtsrb-mini's folds
 * (1,935 images; the 4 folds take 75 s on 2 cores) and on 10 tracks per class of the full set
 * (docs/audit-label-suspects.md). The one default: `convkit audit` and findLabelSuspects' callers take it from here.
 */
export const DEFAULT_SUSPECT_EPOCHS = 8;

/**
 * The options of `convkit audit`, declared once: AuditSchema (audit.ts) is built from this table, and so are the
 * command's options (cli/audit.ts). Plain data, so that `convkit audit --help` loads no zod.
 */
export const AUDIT_OPTIONS = [
  { key: 'json', arg: 'file', help: 'write the audit as JSON (duplicates, label_suspects, quality, classes)', value: 'nonEmptyText' },
  { key: 'html', arg: 'file', help: 'write the audit as one self-contained HTML page (thumbnails inline)', value: 'nonEmptyText' },
  { key: 'out', arg: 'dir', help: `write ${AUDIT_FILE_NAMES.json} and ${AUDIT_FILE_NAMES.html} into this folder (under the dashboard's runs folder, its datasets page links them)`, value: 'nonEmptyText' },
  { key: 'testRoot', arg: 'dir', help: "GTSRB folders: take the test set from this GTSRB folder's Final_Test/ (for a copy of the training set alone)", value: 'nonEmptyText' },
  { key: 'threshold', arg: 'bits', help: 'near-duplicates: perceptual hashes at most this many bits apart (of 143)', value: 'nonNegativeInt', default: DEFAULT_HASH_THRESHOLD },
  { key: 'folds', arg: 'k', help: 'label suspects: models trained on k folds for out-of-fold probabilities (0: no label suspects)', value: 'nonNegativeInt', default: DEFAULT_SUSPECT_FOLDS },
  { key: 'foldsBy', arg: 'unit', help: 'label suspects: what a fold keeps together: image (finds single misfiled images best) or track (GTSRB tracks whole: finds misfiled tracks); docs/audit-label-suspects.md', value: 'choice', choices: ['image', 'track'], default: 'image' },
  { key: 'model', arg: 'name', help: 'label suspects: zoo model (or model file) trained on each fold (default: chosen for the image size)', value: 'nonEmptyText' },
  { key: 'epochs', arg: 'n', help: 'label suspects: epochs per fold model', value: 'positiveInt', default: DEFAULT_SUSPECT_EPOCHS },
  { key: 'batchSize', arg: 'n', help: 'label suspects: batch size of the fold models', value: 'positiveInt' },
  { key: 'seed', arg: 'n', help: 'seed of the folds and their models', value: 'nonNegativeInt', default: 42 },
] as const satisfies readonly TableOption[];
