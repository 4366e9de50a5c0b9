import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { copyOfficial } from '../../test-fixtures/gtsrb-copy.js';
import { ConvkitError } from '../util/errors.js';
import { downloadGtsrb, GTSRB_ARCHIVE_NAMES, readGtsrbManifest, type GtsrbManifest } from './gtsrb-download.js';
import { indexGtsrb } from './gtsrb.js';

/** Builds the three archives the way the publisher lays them out, from a small copy of gtsrb-mini. */
async function makeArchives(): Promise<{ dir: string; source: string; manifest: GtsrbManifest }> {
  const source = await copyOfficial([0, 7], 10);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-gtsrb-zips-'));
  const [trainZip, testZip, gtZip] = GTSRB_ARCHIVE_NAMES.map((n) => path.join(dir, n));
  // the official test archive carries a GT file without ClassId; the class ids come in the separate GT archive
  const gt = path.join(source, 'GTSRB', 'Final_Test', 'GT-final_test.csv');
  const rows = (await fs.readFile(gt, 'utf8')).split('\n').map((l) => l.split(';').slice(0, 7).join(';'));
  await fs.writeFile(path.join(source, 'GTSRB', 'Final_Test', 'Images', 'GT-final_test.test.csv'), rows.join('\n'));
  await fs.rename(gt, path.join(source, 'GT-final_test.csv'));
  execFileSync('zip', ['-qr', trainZip, 'GTSRB/Final_Training'], { cwd: source });
  execFileSync('zip', ['-qr', testZip, 'GTSRB/Final_Test'], { cwd: source });
  execFileSync('zip', ['-q', gtZip, 'GT-final_test.csv'], { cwd: source });
  const manifest: GtsrbManifest = {};
  for (const n of GTSRB_ARCHIVE_NAMES) manifest[n] = createHash('sha256').update(await fs.readFile(path.join(dir, n))).digest('hex');
  return { dir, source, manifest };
}

async function serve(dir: string): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer(async (req, res) => {
    requests.push(req.url ?? '');
    try {
      const body = await fs.readFile(path.join(dir, path.basename(req.url ?? '')));
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/gtsrb/`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

test('downloads the three archives from a local server, checks them, extracts a readable GTSRB folder, then uses the cache', async () => {
  const { dir, source, manifest } = await makeArchives();
  const server = await serve(dir);
  const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-gtsrb-cache-'));
  try {
    const root = await downloadGtsrb({ manifest, baseUrl: server.url, cacheDir });
    assert.deepEqual(server.requests, GTSRB_ARCHIVE_NAMES.map((n) => `/gtsrb/${n}`));
    const ix = await indexGtsrb(root);
    assert.equal(ix.layout, 'official');
    assert.deepEqual([...new Set(ix.train.map((s) => s.classId))], [0, 7]);
    assert.equal(ix.test.length, 10);
    for (const n of GTSRB_ARCHIVE_NAMES) await fs.access(path.join(cacheDir, 'archives', n));
    // second call: nothing fetched again
    assert.equal(await downloadGtsrb({ manifest, baseUrl: server.url, cacheDir }), root);
    assert.equal(server.requests.length, 3);
  } finally {
    await server.close();
    for (const d of [dir, source, cacheDir]) await fs.rm(d, { recursive: true, force: true });
  }
});

test('a wrong SHA-256 keeps the archive out of the cache; a missing one is refused before any download', async () => {
  const { dir, source, manifest } = await makeArchives();
  const server = await serve(dir);
  const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-gtsrb-cache-'));
  try {
    const bad = { ...manifest, 'GTSRB_Final_Test_Images.zip': '0'.repeat(64) };
    await assert.rejects(downloadGtsrb({ manifest: bad, baseUrl: server.url, cacheDir }), (e: ConvkitError) => e instanceof ConvkitError && /SHA-256 mismatch/.test(e.reason) && /GTSRB_Final_Test_Images\.zip$/.test(e.file!));
    assert.deepEqual((await fs.readdir(path.join(cacheDir, 'archives'))).filter((n) => !n.startsWith('.')).sort(), ['GTSRB_Final_Training_Images.zip']);
    await assert.rejects(fs.access(path.join(cacheDir, 'official')));
    const before = server.requests.length;
    const { 'GTSRB_Final_Training_Images.zip': _, ...partial } = manifest;
    await assert.rejects(downloadGtsrb({ manifest: partial, baseUrl: server.url, cacheDir }), /no SHA-256 pinned for GTSRB_Final_Training_Images\.zip/);
    assert.equal(server.requests.length, before);
  } finally {
    await server.close();
    for (const d of [dir, source, cacheDir]) await fs.rm(d, { recursive: true, force: true });
  }
});

test('reads a manifest file and names the bad field', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-gtsrb-manifest-'));
  const good = path.join(dir, 'good.json');
  await fs.writeFile(good, JSON.stringify({ 'GTSRB_Final_Test_GT.zip': 'a'.repeat(64) }));
  assert.deepEqual(await readGtsrbManifest(good), { 'GTSRB_Final_Test_GT.zip': 'a'.repeat(64) });
  const bad = path.join(dir, 'bad.json');
  await fs.writeFile(bad, JSON.stringify({ 'GTSRB_Final_Test_GT.zip': 'xyz' }));
  await assert.rejects(readGtsrbManifest(bad), (e: ConvkitError) => e.file === bad && /GTSRB_Final_Test_GT\.zip: a SHA-256 is 64/.test(e.reason));
  await fs.rm(dir, { recursive: true, force: true });
});
