import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const cliMain = path.join(repoRoot, 'packages/convkit/src/cli/main.ts');

// In-repo fixtures (core suite, always there): small real subsets cut from ../shared/data, see test-fixtures/README.md.
export const fixturesDir = path.join(repoRoot, 'packages/convkit/test-fixtures');
/** The first 500 digits of the MNIST test set: t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz. */
export const mnistFixtureDir = path.join(fixturesDir, 'mnist-500');
/** Folder holding GTSRB/ (official layout): 6 training images of each of the 43 classes, 100 test images. */
export const gtsrbFixtureDir = path.join(fixturesDir, 'gtsrb-small');

// Larger data outside the repository (extended group: tests that use it take `extended(...)` from ./extended.ts).
/** The read-only shared data beside the clone (CI copies shared/ next to its clone). */
export const sharedData = path.resolve(repoRoot, '../shared/data');
/** The whole MNIST test set (10,000 digits). */
export const mnistDir = path.join(sharedData, 'mnist');
/** gtsrb-mini: 2,580 training images (43 classes × 2 tracks) and 1,290 test images. */
export const gtsrbMiniDir = path.join(sharedData, 'gtsrb-mini');
/** Debian's dataset-fashion-mnist (60,000 + 10,000 images). */
export const fashionMnistDir = '/usr/share/datasets/fashion-mnist';
