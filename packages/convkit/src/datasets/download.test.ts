import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { mnistFixtureDir } from '../../test-support/paths.js';
import { fetchCached } from './download.js';
import { loadMnistDownloaded } from './mnist.js';
import { encodeIdx } from './idx.js';
import { gzipSync } from 'node:zlib';

/** A local mirror on 127.0.0.1 that counts its requests. */
async function serve(files: Record<string, Uint8Array>) {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').split('/').pop() ?? '');
    hits.push(name);
    const body = files[name];
    if (!body) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.end(Buffer.from(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/mirror/`, hits, close: () => new Promise((r) => server.close(r)) };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('downloads once into the cache, verifies SHA-256, then works offline', async () => {
  const body = await fs.readFile(path.join(mnistFixtureDir, 't10k-labels-idx1-ubyte.gz'));
  const srv = await serve({ 'labels.gz': body });
  const cache = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-cache-'));
  try {
    const p = await fetchCached(srv.url, { name: 'labels.gz', sha256: sha(body), bytes: body.length }, cache);
    assert.deepEqual(await fs.readFile(p), body);
    await fetchCached(srv.url, { name: 'labels.gz', sha256: sha(body) }, cache);
    assert.deepEqual(srv.hits, ['labels.gz'], 'second call is served from the cache');
  } finally {
    await srv.close();
    await fs.rm(cache, { recursive: true });
  }
});

test('a corrupted download is refused and nothing is left in the cache', async () => {
  const body = await fs.readFile(path.join(mnistFixtureDir, 't10k-labels-idx1-ubyte.gz'));
  const bad = Uint8Array.from(body);
  bad[100] ^= 0xff;
  const srv = await serve({ 'labels.gz': bad });
  const cache = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-cache-'));
  try {
    await assert.rejects(fetchCached(srv.url, { name: 'labels.gz', sha256: sha(body) }, cache), /labels\.gz: SHA-256 mismatch/);
    assert.deepEqual(await fs.readdir(cache), []);
    await assert.rejects(fetchCached(srv.url, { name: 'absent.gz', sha256: sha(body) }, cache), /download failed: HTTP 404/);
  } finally {
    await srv.close();
    await fs.rm(cache, { recursive: true });
  }
});

test('`mnist` source: the four files from a mirror with a manifest, read as a dataset', async () => {
  const img = (n: number) => gzipSync(encodeIdx([n, 28, 28], new Uint8Array(n * 784).map((_, i) => i % 251)));
  const lab = (n: number) => gzipSync(encodeIdx([n], new Uint8Array(n).map((_, i) => i % 10)));
  const files = {
    'train-images-idx3-ubyte.gz': img(20),
    'train-labels-idx1-ubyte.gz': lab(20),
    't10k-images-idx3-ubyte.gz': img(10),
    't10k-labels-idx1-ubyte.gz': lab(10),
  };
  const srv = await serve(files);
  const cache = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-cache-'));
  try {
    const manifest = Object.entries(files).map(([name, b]) => ({ name, sha256: sha(b) }));
    const d = await loadMnistDownloaded({ mirror: srv.url, cacheDir: cache, files: manifest });
    assert.equal(d.train.count, 20);
    assert.equal(d.test.count, 10);
    assert.equal(srv.hits.length, 4);
    // the real manifest refuses these files
    const other = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-cache-'));
    await assert.rejects(loadMnistDownloaded({ mirror: srv.url, cacheDir: other }), /download has \d+ bytes, expected 9912422|SHA-256 mismatch/);
    await fs.rm(other, { recursive: true });
  } finally {
    await srv.close();
    await fs.rm(cache, { recursive: true });
  }
});

test('a download streams to a temporary file while it arrives, with progress; a stalled one times out and leaves nothing', { timeout: 60_000 }, async () => {
  const body = Uint8Array.from({ length: 3_000_000 }, (_, i) => (i * 2654435761) >>> 24);
  const half = body.length / 2;
  const cache = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-cache-'));
  const tmpSize = async () => {
    for (const n of await fs.readdir(cache)) if (n.includes('.tmp-')) return (await fs.stat(path.join(cache, n))).size;
    return -1;
  };
  let sawOnDisk = -1;
  const server = http.createServer(async (req, res) => {
    res.setHeader('content-length', String(body.length));
    res.write(Buffer.from(body.subarray(0, half)));
    if (req.url?.endsWith('stall.bin')) return; // never finishes
    // Send the rest only once the first half is on disk: a client holding the body in memory never gets it.
    const t0 = Date.now();
    while ((sawOnDisk = await tmpSize()) < half && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 20));
    res.end(Buffer.from(body.subarray(half)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  try {
    const logs: string[] = [];
    const p = await fetchCached(url, { name: 'big.bin', sha256: sha(body), bytes: body.length }, cache, (m) => logs.push(m));
    assert.ok(sawOnDisk >= half, `the first half was on disk (${sawOnDisk} bytes) before the rest was sent`);
    assert.ok((await fs.readFile(p)).equals(Buffer.from(body)));
    assert.match(logs.join('\n'), /big\.bin: 1\.5 MB \/ 3\.0 MB \(50 %\)/);
    assert.match(logs[logs.length - 1], /big\.bin: 3\.0 MB \/ 3\.0 MB \(100 %\)/);

    await assert.rejects(
      fetchCached(url, { name: 'stall.bin', sha256: sha(body) }, cache, () => {}, { timeoutMs: 500 }),
      /stall\.bin: download failed: no data for 0\.5 s \(timeout/,
    );
    assert.deepEqual(await fs.readdir(cache), ['big.bin'], 'no temporary left');
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await fs.rm(cache, { recursive: true });
  }
});
