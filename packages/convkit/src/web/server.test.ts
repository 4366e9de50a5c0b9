import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startDashboard, type Dashboard } from './server.js';
import { waitFor } from '../../test-support/cli.js';

// The HTTP surface of `convkit serve`: what a hostile page or a confused client can send must end in a 4xx with
// the server still answering. Run folders here are written by hand (metadata only: this is about the server).

let root: string;
let d: Dashboard;

async function writeRun(dir: string, state: string, epochs: number): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ model: 'mnist-dnn', data: 'mnist:embedded', epochs, optimizer: 'adam', lr: 0.001, batchSize: 512, seed: 42, dataset: { name: 'mnist:embedded' } }));
  const rows = Array.from({ length: epochs }, (_, i) => JSON.stringify({ epoch: i + 1, loss: 1 / (i + 1), accuracy: 0.5 + i / 100, val_loss: 1.1 / (i + 1), val_accuracy: [0.6, 0.8, 0.7][i % 3], seconds: 1, images_per_s: 8000 }));
  await fs.writeFile(path.join(dir, 'metrics.jsonl'), rows.join('\n') + '\n');
  await fs.writeFile(path.join(dir, 'status.json'), JSON.stringify({ state, pid: 1, host: 'elsewhere', epoch: epochs, epochs, batch: 0, batches: 16, started: '2026-01-01T00:00:00Z', updated: '2026-01-01T00:00:00Z' }));
}

/** One request written byte for byte (no client-side normalisation of the path); resolves with the status code. */
function raw(request: string | Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.connect(d.port, '127.0.0.1');
    let buf = '';
    s.on('data', (c) => {
      buf += c;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(buf);
      if (m) {
        resolve(Number(m[1]));
        s.destroy();
      }
    });
    s.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' || (e as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(e)));
    s.on('close', () => resolve(buf ? Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)?.[1] ?? 0) : 0));
    s.write(request);
  });
}

/** The cookie a browser gets from the address `convkit serve` prints. */
const cookie = () => `convkit-auth-${d.port}=${d.token}`;

const get = (p: string, host = `127.0.0.1:${d?.port}`) => raw(`GET ${p} HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie()}\r\nConnection: close\r\n\r\n`);

function request(p: string, opts: { method?: string; headers?: Record<string, string>; anonymous?: boolean } = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const headers = opts.anonymous ? opts.headers : { Cookie: cookie(), ...opts.headers };
    const req = http.request({ host: '127.0.0.1', port: d.port, path: p, method: opts.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-serve-'));
  await writeRun(path.join(root, 'a'), 'completed', 3);
  await writeRun(path.join(root, 'sweep', 'lr-0.01'), 'failed', 2);
  await fs.symlink('/etc', path.join(root, 'a', 'etc-link'));
  d = await startDashboard({ runsDir: root, port: 0 });
});

after(async () => {
  await d?.close();
  await fs.rm(root, { recursive: true, force: true });
});

test('lists runs in nested folders with status, best val accuracy and its epoch', async () => {
  const r = await request('/api/runs');
  assert.equal(r.status, 200);
  const runs = JSON.parse(r.body).runs as { id: string; state: string; bestValAccuracy: number; bestEpoch: number; group: string }[];
  const byId = Object.fromEntries(runs.map((x) => [x.id, x]));
  assert.deepEqual(Object.keys(byId).sort(), ['a', 'sweep/lr-0.01']);
  assert.equal(byId['a'].state, 'completed');
  assert.equal(byId['a'].bestValAccuracy, 0.8);
  assert.equal(byId['a'].bestEpoch, 2);
  assert.equal(byId['sweep/lr-0.01'].state, 'failed');
  assert.equal(byId['sweep/lr-0.01'].group, 'sweep');
});

test('files under the runs folder are served; traversal, plain or encoded, with backslashes or through a symlink, is not', async () => {
  assert.equal(await get('/runs/a/config.json'), 200);
  for (const p of [
    '/runs/../../etc/passwd',
    '/runs/a/../../../etc/passwd',
    '/runs/%2e%2e/%2e%2e/etc/passwd',
    '/runs/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
    '/runs/..%2f..%2fetc%2fpasswd',
    '/runs/..\\..\\etc\\passwd',
    '/runs/..%5c..%5cetc%5cpasswd',
    '/runs/a/etc-link/passwd',
    '/runs/%00',
    '/runs/%zz',
    '/static/../server.ts',
    '/static/..%2fserver.ts',
  ]) {
    const status = await get(p);
    assert.ok(status >= 400 && status < 500, `${p} → ${status}`);
  }
});

test('a foreign Host header is refused (DNS rebinding); localhost and IP literals are not', async () => {
  assert.equal(await get('/api/runs', 'evil.example'), 403);
  assert.equal(await get('/api/runs', `evil.example:${d.port}`), 403);
  assert.equal(await get('/', 'bad host'), 403);
  assert.equal(await get('/api/runs', `localhost:${d.port}`), 200);
  assert.equal(await get('/api/runs', `[::1]:${d.port}`), 200);
});

test('state-changing requests need POST with the server token and its own Origin', async () => {
  const stop = '/api/run/stop?id=a';
  assert.equal((await request(stop, { method: 'POST' })).status, 403);
  assert.equal((await request(stop, { method: 'POST', headers: { 'X-Convkit-Token': 'x'.repeat(d.postToken.length) } })).status, 403);
  assert.equal((await request(stop, { method: 'POST', headers: { 'X-Convkit-Token': d.postToken, Origin: 'http://evil.example' } })).status, 403);
  assert.equal((await request(stop, { method: 'GET' })).status, 404);
  assert.equal((await request(stop, { method: 'PUT', headers: { 'X-Convkit-Token': d.postToken } })).status, 405);
  // with the token: a finished run cannot be stopped, an unknown one is not found
  const ok = await request(stop, { method: 'POST', headers: { 'X-Convkit-Token': d.postToken, Origin: `http://127.0.0.1:${d.port}` } });
  assert.equal(ok.status, 409, ok.body);
  assert.equal((await request('/api/run/stop?id=nope', { method: 'POST', headers: { 'X-Convkit-Token': d.postToken } })).status, 404);
  // status.json saying running is not enough: Stop signals only the holder of the run's lock, and here nobody holds
  // it (status.json names this test's own pid, which must never be signalled)
  await writeRun(path.join(root, 'stale'), 'running', 1);
  const st = JSON.parse(await fs.readFile(path.join(root, 'stale', 'status.json'), 'utf8'));
  await fs.writeFile(path.join(root, 'stale', 'status.json'), JSON.stringify({ ...st, pid: process.pid, host: os.hostname() }));
  let stale = { status: 0, body: '' };
  await waitFor('the watcher to list the run "stale"', async () => {
    stale = await request('/api/run/stop?id=stale', { method: 'POST', headers: { 'X-Convkit-Token': d.postToken } });
    if (stale.status === 404) return false; // until the watcher has seen the new run
    assert.equal(stale.status, 409, stale.body);
    return true;
  }, 30_000);
  assert.match(stale.body, /no process is writing this run/);
  await fs.rm(path.join(root, 'stale'), { recursive: true });
  // the page served to an authenticated client carries the POST token; nothing else does, and no page the access secret
  const page = await request('/');
  assert.match(page.body, new RegExp(`content="${d.postToken}"`));
  assert.doesNotMatch(page.body, new RegExp(d.token!));
  assert.doesNotMatch((await request('/api/runs')).body, new RegExp(d.postToken));
});

test('unknown ids are 404 on every route', async () => {
  for (const p of ['/api/run?id=nope', '/api/run', '/run?id=nope', '/api/run/samples?id=nope', '/api/run/first-layer?id=nope', '/api/compare?id=a,nope', '/nope']) {
    assert.equal((await request(p)).status, 404, p);
  }
});

test('huge headers and bodies get 4xx and the server keeps answering', async () => {
  const host = `127.0.0.1:${d.port}`;
  assert.equal(await raw(`GET / HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`), 431);
  assert.equal(await raw(`GET /${'a'.repeat(64 * 1024)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`), 431);
  assert.equal(await raw(`POST /api/run/stop?id=a HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie()}\r\nX-Convkit-Token: ${d.postToken}\r\nContent-Length: 100000000\r\n\r\n`), 413);
  const chunk = 'x'.repeat(8192);
  const chunked = `POST /api/run/stop?id=a HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie()}\r\nX-Convkit-Token: ${d.postToken}\r\nTransfer-Encoding: chunked\r\n\r\n` + `${(8192).toString(16)}\r\n${chunk}\r\n`.repeat(4);
  assert.equal(await raw(chunked), 413);
  assert.equal(await raw(`GET / HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 10000000\r\n\r\n`), 413);
  assert.equal(await raw('GARBAGE\r\n\r\n'), 400);
  assert.equal(await get('/'), 200);
  assert.equal((await request('/api/runs')).status, 200);
});

test('a new run in a new batch folder and a status change reach an open event stream', { timeout: 60_000 }, async () => {
  const seen: { event: string; data: any }[] = [];
  const req = http.get({ host: '127.0.0.1', port: d.port, path: '/api/events', headers: { Cookie: cookie() } });
  const res = await new Promise<http.IncomingMessage>((r) => req.on('response', r));
  assert.equal(res.headers['content-type'], 'text/event-stream');
  let buf = '';
  const waiters: (() => void)[] = [];
  res.on('data', (c) => {
    buf += c;
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const ev = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (ev && data) seen.push({ event: ev, data: JSON.parse(data) });
      waiters.splice(0).forEach((w) => w());
    }
  });
  const waitFor = async (pred: () => boolean) => {
    while (!pred()) await new Promise<void>((r) => waiters.push(r));
  };
  try {
    await writeRun(path.join(root, 'batch-2', 'jobs', 'j1'), 'interrupted', 1);
    await waitFor(() => seen.some((s) => s.event === 'run' && s.data.id === 'batch-2/jobs/j1'));
    const status = JSON.parse(await fs.readFile(path.join(root, 'a', 'status.json'), 'utf8'));
    await fs.writeFile(path.join(root, 'a', 'metrics.jsonl'), JSON.stringify({ epoch: 4, loss: 0.1, accuracy: 0.9, val_loss: 0.2, val_accuracy: 0.95, seconds: 1, images_per_s: 9000 }) + '\n', { flag: 'a' });
    await fs.writeFile(path.join(root, 'a', 'status.json'), JSON.stringify({ ...status, epoch: 4 }));
    await waitFor(() => seen.some((s) => s.event === 'run' && s.data.id === 'a' && s.data.metricsCount === 4 && s.data.bestValAccuracy === 0.95));
    await fs.rm(path.join(root, 'batch-2', 'jobs', 'j1'), { recursive: true });
    await waitFor(() => seen.some((s) => s.event === 'removed' && s.data.id === 'batch-2/jobs/j1'));
    // a new folder under the same name, the old one moved aside first (as train --force does), is watched in its turn
    const j1 = path.join(root, 'batch-2', 'jobs', 'j1');
    await writeRun(j1, 'running', 1);
    await waitFor(() => seen.filter((s) => s.event === 'run' && s.data.id === 'batch-2/jobs/j1').length >= 2);
    await fs.rename(j1, path.join(root, 'batch-2', 'jobs', '.j1.old'));
    await writeRun(j1, 'running', 2);
    await fs.rm(path.join(root, 'batch-2', 'jobs', '.j1.old'), { recursive: true });
    await waitFor(() => seen.some((s) => s.event === 'run' && s.data.id === 'batch-2/jobs/j1' && s.data.metricsCount === 2));
    const st = JSON.parse(await fs.readFile(path.join(j1, 'status.json'), 'utf8'));
    await fs.writeFile(path.join(j1, 'status.json.tmp'), JSON.stringify({ ...st, state: 'completed' }));
    await fs.rename(path.join(j1, 'status.json.tmp'), path.join(j1, 'status.json'));
    await waitFor(() => seen.some((s) => s.event === 'run' && s.data.id === 'batch-2/jobs/j1' && s.data.state === 'completed'));
  } finally {
    req.destroy();
  }
});

test('datasets: the GTSRB folder of a run is listed; its analysis is written on a token POST, then listed and served sandboxed', async () => {
  const { gtsrbFixtureDir } = await import('../../test-support/paths.js');
  const dir = path.join(root, 'gtsrb-run');
  await writeRun(dir, 'completed', 1);
  const cfg = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8'));
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...cfg, data: `gtsrb:${gtsrbFixtureDir}` }));
  let sources: { root: string; runs: string[]; report?: string }[] = [];
  await waitFor('the watcher to re-read config.json of gtsrb-run', async () => {
    sources = JSON.parse((await request('/api/datasets')).body).sources;
    return sources.some((s) => s.runs.includes('gtsrb-run'));
  }, 30_000);
  assert.equal(sources[0].root, gtsrbFixtureDir);
  assert.equal(sources[0].report, undefined);
  const analyse = `/api/datasets/analyse?root=${encodeURIComponent(gtsrbFixtureDir)}`;
  assert.equal((await request(analyse, { method: 'POST' })).status, 403);
  assert.equal((await request(`/api/datasets/analyse?root=${encodeURIComponent('/etc')}`, { method: 'POST', headers: { 'X-Convkit-Token': d.postToken } })).status, 404);
  const r = await request(analyse, { method: 'POST', headers: { 'X-Convkit-Token': d.postToken } });
  assert.equal(r.status, 200, r.body);
  const { id } = JSON.parse(r.body);
  const body = JSON.parse((await request('/api/datasets')).body);
  const listed = body.datasets.find((x: { id: string }) => x.id === id);
  assert.deepEqual([listed.counts.train, listed.counts.test, listed.counts.classes], [258, 100, 43]); // the in-repo fixture
  assert.equal(body.sources[0].report, id);
  const report = await new Promise<http.IncomingMessage>((res) => http.get({ host: '127.0.0.1', port: d.port, path: `/runs/${id}/report.html`, headers: { Cookie: cookie() } }, res));
  assert.equal(report.statusCode, 200);
  assert.match(String(report.headers['content-security-policy']), /sandbox/);
  report.resume();
});

test('datasets: an audit written under the runs folder is listed and linked from its GTSRB folder, served sandboxed', async () => {
  const { gtsrbFixtureDir } = await import('../../test-support/paths.js');
  const { runAudit } = await import('../audit/audit.js');
  const dir = path.join(root, 'gtsrb-audit-run');
  await writeRun(dir, 'completed', 1);
  const cfg = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8'));
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...cfg, data: `gtsrb:${gtsrbFixtureDir}` }));
  await runAudit({ data: `gtsrb:${gtsrbFixtureDir}`, folds: 0, out: path.join(root, 'datasets', 'fixture-audit') });
  // a file named audit.json that is not an audit is not listed
  await fs.mkdir(path.join(root, 'datasets', 'not-an-audit'), { recursive: true });
  await fs.writeFile(path.join(root, 'datasets', 'not-an-audit', 'audit.json'), '{"format": 3}');
  let body: { audits: { id: string; counts: { train: number; test: number } }[]; sources: { root: string; runs: string[]; audit?: string }[] } = { audits: [], sources: [] };
  await waitFor('the audit to be listed and linked', async () => {
    body = JSON.parse((await request('/api/datasets')).body);
    return body.sources.some((s) => s.runs.includes('gtsrb-audit-run') && s.audit === 'datasets/fixture-audit');
  }, 30_000);
  assert.deepEqual(body.audits.map((a) => a.id), ['datasets/fixture-audit']);
  assert.deepEqual([body.audits[0].counts.train, body.audits[0].counts.test], [258, 100]);
  const page = await new Promise<http.IncomingMessage>((res) => http.get({ host: '127.0.0.1', port: d.port, path: '/runs/datasets/fixture-audit/audit.html', headers: { Cookie: cookie() } }, res));
  assert.equal(page.statusCode, 200);
  assert.match(String(page.headers['content-security-policy']), /sandbox/);
  page.resume();
});

test('convkit serve: a missing runs folder or a taken port is one error line, exit 2', async () => {
  const { runCli } = await import('../../test-support/prepare.js');
  let r = await runCli(['serve', '--runs', path.join(root, 'nope'), '--port', '0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^convkit: error: .*nope: runs directory not found\n$/);
  r = await runCli(['serve', '--runs', root, '--port', String(d.port)]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`^convkit: error: port ${d.port} is in use`));
  r = await runCli(['serve', '--runs', root, '--port', '70000']);
  assert.equal(r.code, 2);
});
