import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extended } from '../../test-support/extended.js';
import { FASHION_MNIST_DIR, loadEmbeddedMnist, loadFashionMnist } from './mnist.js';
import { loadDataset } from './index.js';

test('mnist:embedded: 10,000 real digits, split 80/20 per class, the same split every time', () => {
  const a = loadEmbeddedMnist();
  const b = loadEmbeddedMnist();
  assert.equal(a.train.count + a.test.count, 10000);
  assert.equal(a.test.count, 2000);
  assert.deepEqual(a.test.y, b.test.y);
  assert.deepEqual(Buffer.from(a.test.x as Uint8Array), Buffer.from(b.test.x as Uint8Array));
  const perClassTest = new Array(10).fill(0);
  for (const y of a.test.y) perClassTest[y]++;
  const perClassAll = new Array(10).fill(0);
  for (const y of [...a.train.y, ...a.test.y]) perClassAll[y]++;
  for (let c = 0; c < 10; c++) assert.equal(perClassTest[c], Math.round(perClassAll[c] * 0.2), `class ${c}`);
  // real digits: ink covers ~19% of an MNIST image, and pixels span 0..255
  const x = a.train.x as Uint8Array;
  let ink = 0;
  let max = 0;
  for (const v of x) {
    if (v > 127) ink++;
    if (v > max) max = v;
  }
  assert.equal(max, 255);
  assert.ok(ink / x.length > 0.08 && ink / x.length < 0.3, `ink fraction ${ink / x.length}`);
  const other = loadEmbeddedMnist({ seed: 7 });
  assert.notDeepEqual(Array.from(other.test.y.slice(0, 50)), Array.from(a.test.y.slice(0, 50)));
});

test('fashion-mnist: the Debian package, 60,000 + 10,000 images with class names', extended(FASHION_MNIST_DIR), async () => {
  const d = await loadFashionMnist();
  assert.equal(d.train.count, 60000);
  assert.equal(d.test.count, 10000);
  assert.equal(d.numClasses, 10);
  assert.equal(d.classNames?.[9], 'Ankle boot');
});

test('an unknown data source names itself and the known names', async () => {
  await assert.rejects(loadDataset('mnist:nowhere'), /mnist:nowhere: unknown data source.*mnist:embedded/);
  // names with a dash are names too, and a near miss gets a suggestion; gtsrb:ROOT is known wherever loadDataset is (one list, no registration on import)
  await assert.rejects(loadDataset('fashion_mnist'), /fashion_mnist: unknown data source \(not a file or directory; did you mean fashion-mnist\? known names: gtsrb:ROOT, mnist:embedded, mnist, fashion-mnist\b/);
  await assert.rejects(loadDataset('nowhere-data'), (e: Error) => !/did you mean/.test(e.message) && /known names: .*fashion-mnist/.test(e.message));
});

test('an IDX directory with 200,000 training labels loads (numClasses without spreading them into Math.max)', async () => {
  const { promises: fs } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { encodeIdx } = await import('./idx.js');
  const { readIdxDirectory } = await import('./mnist.js');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-idx-big-'));
  const n = 200_000;
  const labels = new Uint8Array(n).map((_, i) => i % 7);
  await fs.writeFile(path.join(dir, 'train-images-idx3-ubyte'), encodeIdx([n, 2, 2], new Uint8Array(n * 4)));
  await fs.writeFile(path.join(dir, 'train-labels-idx1-ubyte'), encodeIdx([n], labels));
  await fs.writeFile(path.join(dir, 't10k-images-idx3-ubyte'), encodeIdx([3, 2, 2], new Uint8Array(12)));
  await fs.writeFile(path.join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([3], Uint8Array.from([0, 1, 11])));
  const d = await readIdxDirectory(dir, 'big', []);
  assert.equal(d.train.count, n);
  assert.equal(d.numClasses, 12);
  await fs.rm(dir, { recursive: true, force: true });
});
