import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { repoRoot } from '../../test-support/paths.js';
import { encodeIdx } from './idx.js';
import { parsePnm } from './pnm.js';

// Files handed to you that lie about their size: each is refused with one error line and exit 2 while the reading
// process stays small (peak RSS measured by /usr/bin/time on the child, bound generous: < 300 MB).

const TIME = '/usr/bin/time';
const RSS_BOUND_KB = 300 * 1024;

/** Runs `code` (an ES module body) in a child node under /usr/bin/time; resolves with its exit code, stderr and peak RSS (kB). */
async function measured(code: string): Promise<{ code: number; stderr: string; rssKb: number }> {
  assert.ok(existsSync(TIME), `${TIME} is missing (Debian package time): cannot measure the reader's memory`);
  const child = spawn(TIME, ['-f', 'peak-rss-kb %M', process.execPath, '--import', 'tsx', '--input-type=module', '-e', code], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b) => (stderr += b));
  const exit = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  const m = /peak-rss-kb (\d+)/.exec(stderr);
  assert.ok(m, stderr);
  return { code: exit, stderr: stderr.replace(/.*peak-rss-kb \d+\n?/s, (s) => s.slice(0, s.indexOf('peak-rss-kb'))), rssKb: Number(m[1]) };
}

const readDir = (dir: string) => `
  import { readIdxDirectory } from ${JSON.stringify(path.join(repoRoot, 'packages/convkit/src/datasets/mnist.ts'))};
  try { await readIdxDirectory(${JSON.stringify(dir)}); process.exit(0); }
  catch (e) { process.stderr.write('convkit: error: ' + (e.file ?? '') + ': ' + (e.reason ?? e.message) + '\\n'); process.exit(e.name === 'ConvkitError' ? 2 : 1); }`;

/** A gzip IDX images file whose header says `count` 28×28 images, followed by `zeroBytes` of real (zero) data. */
async function lyingImages(file: string, count: number, zeroBytes: number): Promise<void> {
  const gz = zlib.createGzip({ level: 1 });
  const out = gz.pipe(createWriteStream(file));
  const header = encodeIdx([1, 28, 28], new Uint8Array(784)).subarray(0, 16);
  new DataView(header.buffer, header.byteOffset).setUint32(4, count);
  gz.write(header);
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  for (let left = zeroBytes; left > 0; left -= chunk.length) {
    if (!gz.write(left >= chunk.length ? chunk : chunk.subarray(0, left))) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await finished(out);
}

async function mnistDir(images: (f: string) => Promise<void>, labels: number): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-lying-idx-'));
  for (const split of ['train', 't10k']) {
    await images(path.join(dir, `${split}-images-idx3-ubyte.gz`));
    await fs.writeFile(path.join(dir, `${split}-labels-idx1-ubyte.gz`), zlib.gzipSync(encodeIdx([labels], new Uint8Array(labels))));
  }
  return dir;
}

test('IDX: 2.7 million images announced over 10,000 labels (and 400 MB really compressed in) is refused before decompressing', { timeout: 300_000 }, async () => {
  const dir = await mnistDir((f) => lyingImages(f, 2_700_000, 400 * 1024 * 1024), 10_000);
  try {
    const r = await measured(readDir(dir));
    process.stderr.write(`IDX count mismatch: exit ${r.code}, peak RSS ${Math.round(r.rssKb / 1024)} MB\n`);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^convkit: error: .*train-images-idx3-ubyte\.gz: 2700000 images but 10000 labels/m);
    assert.ok(r.rssKb < RSS_BOUND_KB, `peak RSS ${r.rssKb} kB`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('IDX: a header announcing more than its compressed bytes can hold is refused without decompressing', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-lying-idx-'));
  try {
    for (const split of ['train', 't10k']) {
      await lyingImages(path.join(dir, `${split}-images-idx3-ubyte.gz`), 2_700_000, 1024);
      const labels = encodeIdx([1], new Uint8Array(1));
      new DataView(labels.buffer).setUint32(4, 2_700_000);
      await fs.writeFile(path.join(dir, `${split}-labels-idx1-ubyte.gz`), zlib.gzipSync(labels));
    }
    const r = await measured(readDir(dir));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /labels-idx1-ubyte\.gz: truncated IDX data: header announces 2700000 = 2700000 bytes, more than \d+ compressed bytes can hold/);
    assert.ok(r.rssKb < RSS_BOUND_KB, `peak RSS ${r.rssKb} kB`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('IDX: data beyond the declared size stops decompression at the declared size', async () => {
  const dir = await mnistDir((f) => lyingImages(f, 10, 200 * 1024 * 1024), 10);
  try {
    const r = await measured(readDir(dir));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /images-idx3-ubyte\.gz: IDX file has trailing bytes after 10×28×28 values/);
    assert.ok(r.rssKb < RSS_BOUND_KB, `peak RSS ${r.rssKb} kB`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('PNM: a header claiming 10⁹×10⁹ pixels is a bad file, found before allocating', () => {
  for (const text of ['P6\n1000000000 1000000000\n255\n\x00\x01\x02', 'P3\n1000000000 1000000000\n255\n1 2 3\n']) {
    assert.throws(() => parsePnm(Buffer.from(text, 'latin1'), 'big.ppm'), (e: Error & { reason?: string }) => e.name === 'ConvkitError' && /truncated pixel data/.test(e.message));
  }
});
