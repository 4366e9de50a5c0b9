import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { extended } from '../../test-support/extended.js';
import { mnistDir, mnistFixtureDir } from '../../test-support/paths.js';
import { encodeIdx, parseIdx, readIdxFile, readIdxPair, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from './idx.js';
import { readIdxDirectory } from './mnist.js';
import { ConvkitError } from '../util/errors.js';

const t10kImages = path.join(mnistFixtureDir, 't10k-images-idx3-ubyte.gz');
const t10kLabels = path.join(mnistFixtureDir, 't10k-labels-idx1-ubyte.gz');

/** Reads an MNIST test-set pair and checks its count, size, first labels, the images file's MD5 and its pixels. */
async function readMnistTestPair(images: string, labels: string, count: number, md5: string) {
  const pair = await readIdxPair(images, labels);
  assert.equal(pair.count, count);
  assert.equal(pair.height, 28);
  assert.equal(pair.width, 28);
  assert.deepEqual(Array.from(pair.y.slice(0, 10)), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  const raw = gunzipSync(await fs.readFile(images));
  assert.equal(createHash('md5').update(raw).digest('hex'), md5);
  assert.deepEqual(Buffer.from(pair.x), raw.subarray(16));
  return pair;
}

test('reads the in-repo cut of the MNIST test set: 500 images of 28×28, known first labels and checksum', async () => {
  await readMnistTestPair(t10kImages, t10kLabels, 500, '1d2743c59faa92de1bed834a757f078a');
});

test('reads the real MNIST test set: 10,000 images of 28×28, known first labels and checksum; the in-repo cut is its start', extended(mnistDir), async () => {
  const pair = await readMnistTestPair(path.join(mnistDir, 't10k-images-idx3-ubyte.gz'), path.join(mnistDir, 't10k-labels-idx1-ubyte.gz'), 10000, '2646ac647ad5339dbf082846283269ea');
  const cut = await readIdxPair(t10kImages, t10kLabels);
  assert.deepEqual(Buffer.from(cut.x), Buffer.from(pair.x.subarray(0, cut.count * 784)));
  assert.deepEqual(Array.from(cut.y), Array.from(pair.y.subarray(0, cut.count)));
});

test('gzip and raw files give the same array', async () => {
  const raw = gunzipSync(await fs.readFile(t10kLabels));
  const a = parseIdx(raw, 'raw', IDX_LABELS_MAGIC);
  const b = await readIdxFile(t10kLabels, IDX_LABELS_MAGIC);
  assert.deepEqual(a.dims, [500]);
  assert.deepEqual(Buffer.from(a.data), Buffer.from(b.data));
});

function expectError(fn: () => unknown, file: string, pattern: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConvkitError, `expected ConvkitError, got ${e}`);
    assert.equal(e.file, file);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

test('truncated header, truncated data, trailing bytes, wrong magic, wrong type: one-line errors naming the file', () => {
  const good = encodeIdx([3, 2, 2], new Uint8Array(12).fill(7));
  expectError(() => parseIdx(good.subarray(0, 2), 'f', IDX_IMAGES_MAGIC), 'f', /truncated IDX file/);
  expectError(() => parseIdx(good.subarray(0, 10), 'f', IDX_IMAGES_MAGIC), 'f', /truncated IDX header/);
  expectError(() => parseIdx(good.subarray(0, good.length - 1), 'f', IDX_IMAGES_MAGIC), 'f', /truncated IDX data.*3×2×2 = 12 bytes, file has 11/);
  expectError(() => parseIdx(Buffer.concat([good, Buffer.from([1])]), 'f', IDX_IMAGES_MAGIC), 'f', /1 trailing bytes/);
  expectError(() => parseIdx(good, 'f', IDX_LABELS_MAGIC), 'f', /wrong IDX magic number 2051, expected 2049/);
  const floats = Uint8Array.from(good);
  floats[2] = 0x0d;
  expectError(() => parseIdx(floats, 'f'), 'f', /only unsigned-byte/);
  expectError(() => parseIdx(Uint8Array.from([0x1f, 0x8b, 1, 2, 3]), 'f'), 'f', /corrupt gzip/);
});

test('a real file cut short is reported as truncated', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-idx-'));
  const raw = gunzipSync(await fs.readFile(t10kImages));
  const cut = path.join(dir, 'cut-idx3-ubyte.gz');
  await fs.writeFile(cut, gzipSync(raw.subarray(0, 5000)));
  await assert.rejects(readIdxFile(cut, IDX_IMAGES_MAGIC), /cut-idx3-ubyte\.gz: truncated IDX data/);
  await fs.rm(dir, { recursive: true });
});

test('images and labels that disagree in count are refused; missing files are named', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-idx-'));
  await fs.writeFile(path.join(dir, 'train-images-idx3-ubyte'), encodeIdx([4, 2, 2], new Uint8Array(16)));
  await fs.writeFile(path.join(dir, 'train-labels-idx1-ubyte'), encodeIdx([3], new Uint8Array(3)));
  await fs.writeFile(path.join(dir, 't10k-images-idx3-ubyte'), encodeIdx([1, 2, 2], new Uint8Array(4)));
  await assert.rejects(readIdxDirectory(dir), (e: ConvkitError) => /4 images but 3 labels/.test(e.message) && e.exitCode === 2);
  await fs.writeFile(path.join(dir, 'train-labels-idx1-ubyte'), encodeIdx([4], new Uint8Array(4)));
  await assert.rejects(readIdxDirectory(dir), /missing t10k-labels-idx1-ubyte/);
  await fs.writeFile(path.join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([1], new Uint8Array([3])));
  const d = await readIdxDirectory(dir);
  assert.equal(d.train.count, 4);
  assert.equal(d.test.count, 1);
  await fs.rm(dir, { recursive: true });
});
