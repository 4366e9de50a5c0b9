// What `convkit audit` writes (audit.json) and its HTML page draws: plain JSON types, shared by Node and the browser
// view (audit/views/), so this file imports nothing. docs/audit.md describes every key.

/** Bumped when a key changes meaning or disappears (keys may be added without a bump). */
export const AUDIT_FORMAT = 'convkit-audit/1';

export type AuditSplitName = 'train' | 'test';

/** One image of the audited data: its file (GTSRB folders) or `train index N` / `test index N` (sets held in one file). */
export interface AuditImage {
  file: string;
  split: AuditSplitName;
  /** Position in its split, in the order the source lists it (CSV order for GTSRB folders, the set's order otherwise). */
  index: number;
  class: number;
}

/** Two images closer than the threshold: identical pixels (`exact`) or perceptual hashes `distance` bits apart. */
export interface DuplicatePair {
  files: [string, string];
  splits: [AuditSplitName, AuditSplitName];
  indices: [number, number];
  classes: [number, number];
  /** Hamming distance of the two perceptual hashes (0–143); 0 for an exact duplicate. */
  distance: number;
  exact: boolean;
  /** `leak`: one image in train, the other in test. `train` / `test`: both in one split (different GTSRB tracks, or no tracks known). */
  kind: 'leak' | 'train' | 'test';
}

export interface DuplicateSearch {
  method: string;
  bits: number;
  /** Pairs at most this many bits apart are near-duplicates. */
  threshold: number;
  /** Pairs found, by kind (all of them, also those beyond `listed`). */
  counts: { leak: number; train: number; test: number; exact: number };
  /** GTSRB: pairs inside one track (the same physical sign filmed frame after frame): expected, counted, not listed. */
  tracks: { tracks: number; pairs: number; exact_pairs: number; tracks_with_pairs: number } | null;
  /** Pairs listed in `duplicates` (leaks first, then by distance); `counts` may be larger. */
  listed: number;
  seconds: number;
}

export interface LabelSuspectEntry {
  file: string;
  split: 'train';
  index: number;
  given: number;
  suggested: number;
  /** Confident learning's ranking score: higher = more suspect. */
  score: number;
}

export interface LabelSearch {
  folds: number;
  by_group: boolean;
  model: string;
  epochs: number;
  seed: number;
  seconds: number;
  /** Per-class confident-learning thresholds (mean out-of-fold probability of the class over images given that class). */
  thresholds: number[];
}

export interface FlaggedImage extends AuditImage {
  value: number;
}

/** One quality check: the measure per image, the set's own distribution of it, and the images below the threshold. */
export interface QualityCheck {
  measure: string;
  /** How the threshold follows from the distribution. */
  rule: string;
  /** null when the check was skipped. */
  threshold: number | null;
  median: number | null;
  /** Images measured (train and test). */
  measured: number;
  /** Every flagged image, worst (lowest value) first. */
  images: FlaggedImage[];
  /** Why the check did not run (e.g. every image has the same size), else absent. */
  skipped?: string;
}

export interface QualityReport {
  dark: QualityCheck;
  low_contrast: QualityCheck;
  blurred: QualityCheck;
  tiny: QualityCheck;
  seconds: number;
}

export interface ClassCount {
  id: number;
  name: string;
  train: number;
  test: number;
}

export interface ClassesReport {
  counts: ClassCount[];
  imbalance: {
    /** Training images of the largest class over those of the smallest non-empty one. */
    ratio: number;
    largest: { id: number; count: number };
    smallest: { id: number; count: number };
    /** Entropy of the training class distribution over log(classes): 1 = perfectly balanced. */
    normalised_entropy: number;
    /** Classes with no training image. */
    empty: number[];
  };
}

export interface AuditData {
  /** DATA as given. */
  spec: string;
  kind: 'gtsrb-folder' | 'hdf5' | 'image-set';
  /** The GTSRB folder, the .h5 file, or where the set came from. */
  source: string;
  /** Test set taken from another folder (`--test-root`). */
  test_source?: string;
  /** Size of the images as analysed (GTSRB folders are resized whole to this). */
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  train: number;
  test: number;
  /** Whether images carry GTSRB track ids (then same-track pairs are expected near-duplicates, and folds keep tracks whole). */
  tracks: boolean;
}

/** audit.json. */
export interface AuditReport {
  format: typeof AUDIT_FORMAT;
  created: string;
  convkit_version: string;
  data: AuditData;
  duplicates: DuplicatePair[];
  duplicate_search: DuplicateSearch;
  label_suspects: LabelSuspectEntry[];
  /** null when label suspects were not searched (`--folds 0`). */
  label_search: LabelSearch | null;
  quality: QualityReport;
  classes: ClassesReport;
  seconds: { load: number; total: number };
}

/** What the HTML page embeds: the report, class names, and the thumbnails it shows (PNG data URIs by `split:index`). */
export interface AuditPageData {
  report: AuditReport;
  classNames: string[];
  thumbs: Record<string, string>;
}

export const thumbKey = (split: AuditSplitName, index: number): string => `${split}:${index}`;

/** How many pairs, suspects and images per quality check the HTML page shows, with inline thumbnails (audit.json lists all). */
export const PAGE_LIMITS = { pairs: 120, suspects: 100, quality: 40 } as const;
