#!/usr/bin/env node
// Cuts the in-repo fixtures of the core test suite out of ../shared/data (see README.md beside this file).
// Run once from anywhere: node packages/convkit/test-fixtures/make-fixtures.mjs [SHARED_DATA_DIR]
// Deterministic: the same shared data gives the same bytes (gzip without a timestamp, files and CSV rows copied as they
// are, CRLF line ends kept).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = path.resolve(process.argv[2] ?? path.join(here, '../../../../shared/data'));
const MNIST_COUNT = 500; // the first 500 digits of the MNIST test set
const PER_TRACK = 3; // GTSRB: the first 3 images of each of the first 2 tracks of every class
const TRACKS = ['00000', '00001'];
const GTSRB_TEST = 100; // the first 100 official test images

// MNIST: IDX headers rewritten for the shorter count, pixels and labels copied.
const mnistOut = path.join(here, 'mnist-500');
rmSync(mnistOut, { recursive: true, force: true });
mkdirSync(mnistOut, { recursive: true });
const images = gunzipSync(readFileSync(path.join(shared, 'mnist/t10k-images-idx3-ubyte.gz')));
const labels = gunzipSync(readFileSync(path.join(shared, 'mnist/t10k-labels-idx1-ubyte.gz')));
const cutImages = Buffer.concat([images.subarray(0, 16), images.subarray(16, 16 + MNIST_COUNT * 784)]);
cutImages.writeUInt32BE(MNIST_COUNT, 4);
const cutLabels = Buffer.concat([labels.subarray(0, 8), labels.subarray(8, 8 + MNIST_COUNT)]);
cutLabels.writeUInt32BE(MNIST_COUNT, 4);
writeFileSync(path.join(mnistOut, 't10k-images-idx3-ubyte.gz'), gzipSync(cutImages, { level: 9 }));
writeFileSync(path.join(mnistOut, 't10k-labels-idx1-ubyte.gz'), gzipSync(cutLabels, { level: 9 }));
const md5 = (b) => createHash('md5').update(b).digest('hex');
console.log(`mnist-500: images md5 ${md5(cutImages)} (uncompressed), labels md5 ${md5(cutLabels)}, first labels ${[...cutLabels.subarray(8, 18)].join(' ')}`);

// GTSRB: official layout, CSV rows kept for the copied files only (same order, same values: the original sizes
// and ROIs of images stored at 32×32, the quirk of the shared copy).
const mini = path.join(shared, 'gtsrb-mini/GTSRB');
const gOut = path.join(here, 'gtsrb-small');
rmSync(gOut, { recursive: true, force: true });
const lines = (f) => readFileSync(f, 'utf8').split(/\r?\n/).filter((l) => l.trim());
let trainCount = 0;
for (const cls of readdirSync(path.join(mini, 'Final_Training/Images')).sort()) {
  const from = path.join(mini, 'Final_Training/Images', cls);
  const to = path.join(gOut, 'GTSRB/Final_Training/Images', cls);
  mkdirSync(to, { recursive: true });
  const [header, ...rows] = lines(path.join(from, `GT-${cls}.csv`));
  const kept = TRACKS.flatMap((t) => rows.filter((r) => r.startsWith(`${t}_`)).slice(0, PER_TRACK));
  for (const r of kept) copyFileSync(path.join(from, r.split(';')[0]), path.join(to, r.split(';')[0]));
  writeFileSync(path.join(to, `GT-${cls}.csv`), [header, ...kept].join('\r\n') + '\r\n');
  trainCount += kept.length;
}
const [header, ...testRows] = lines(path.join(mini, 'Final_Test/GT-final_test.csv'));
const keptTest = testRows.slice(0, GTSRB_TEST);
mkdirSync(path.join(gOut, 'GTSRB/Final_Test/Images'), { recursive: true });
for (const r of keptTest) copyFileSync(path.join(mini, 'Final_Test/Images', r.split(';')[0]), path.join(gOut, 'GTSRB/Final_Test/Images', r.split(';')[0]));
writeFileSync(path.join(gOut, 'GTSRB/Final_Test/GT-final_test.csv'), [header, ...keptTest].join('\r\n') + '\r\n');
console.log(`gtsrb-small: ${trainCount} training images, ${keptTest.length} test images`);
