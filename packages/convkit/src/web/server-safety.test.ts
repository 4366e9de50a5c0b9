import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs, readdirSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cliMain, repoRoot } from '../../test-support/paths.js';
import { runCli } from '../../test-support/prepare.js';
import { startDashboard, type Dashboard } from './server.js';

// `convkit serve` on a shared machine: another local user cannot use it, a client going away leaks nothing, and run
// folders written by hand (or by someone else) show as broken runs instead of stopping the dashboard.

let root: string;
let d: Dashboard;

async function writeRun(dir: string, extra: Record<string, string> = {}): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ model: 'mnist-dnn', data: 'mnist:embedded', epochs: 2, optimizer: 'adam' }));
  await fs.writeFile(path.join(dir, 'metrics.jsonl'), [1, 2].map((epoch) => JSON.stringify({ epoch, loss: 1 / epoch, val_accuracy: 0.5 + epoch / 10 })).join('\n') + '\n');
  await fs.writeFile(path.join(dir, 'result.json'), JSON.stringify({ model: 'mnist-dnn', data: 'mnist:embedded', backend: 'cpu', epochs: 2, test_accuracy: 0.7, test_loss: 0.5, duration_s: 1, images_per_s: 10 }));
  for (const [name, text] of Object.entries(extra)) await fs.writeFile(path.join(dir, name), text);
}

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-serve-safety-'));
  await fs.chmod(root, 0o755);
  await writeRun(path.join(root, 'good'));
  await writeRun(path.join(root, 'null-line'), { 'metrics.jsonl': '{"epoch":1,"val_accuracy":0.5}\nnull\n42\n[]\n' });
  await writeRun(path.join(root, 'deep-config'), { 'config.json': `{"model":"x","optimizer":${deep(200_000)}}` });
  await writeRun(path.join(root, 'odd-status'), { 'status.json': '42' });
  await writeRun(path.join(root, 'unreadable'));
  await fs.rm(path.join(root, 'unreadable', 'metrics.jsonl'));
  await fs.mkdir(path.join(root, 'unreadable', 'metrics.jsonl')); // EISDIR on read (chmod 000 does not stop root, who runs CI)
  await fs.symlink('.', path.join(root, 'loop'));
  await fs.symlink(path.join(root, 'l2'), path.join(root, 'l1'));
  await fs.symlink(path.join(root, 'l1'), path.join(root, 'l2'));
  await fs.symlink(path.join(root, 'good'), path.join(root, 'good-link'));
  // a large file in a run, to download and abandon
  await fs.writeFile(path.join(root, 'good', 'big.txt'), Buffer.alloc(64 * 1024 * 1024, 'x'));
  d = await startDashboard({ runsDir: root, port: 0 });
});

after(async () => {
  await d?.close();
  await fs.rm(root, { recursive: true, force: true });
});

function get(p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: d.port, path: p, headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      })
      .on('error', reject);
  });
}
const cookie = () => ({ Cookie: `convkit-auth-${d.port}=${d.token}` });

const ROUTES = ['/', '/run?id=good', '/compare', '/maths', '/descent', '/datasets', '/api/runs', '/api/run?id=good', '/api/compare?id=good', '/api/events', '/api/datasets', '/api/run/samples?id=good', '/api/run/first-layer?id=good', '/api/run/batches?id=good', '/runs/good/config.json', '/runs/good/big.txt', '/static/app.css', '/static/runs.js', '/static/convkit-views.js', '/static/uPlot.iife.min.js', '/favicon.ico', '/nope'];

test('without the cookie or the secret every route is 401; the printed address sets an HttpOnly SameSite=Strict cookie and drops the token', async () => {
  for (const p of ROUTES) assert.equal((await get(p)).status, 401, p);
  for (const p of ['/api/run/stop?id=good', '/api/run/analysis?id=good', '/api/datasets/analyse?root=x']) {
    const r = await new Promise<number>((resolve) => http.request({ host: '127.0.0.1', port: d.port, path: p, method: 'POST', headers: { 'X-Convkit-Token': d.postToken } }, (res) => resolve(res.statusCode ?? 0)).end());
    assert.equal(r, 401, p);
  }
  assert.equal((await get('/?token=' + 'f'.repeat(d.token!.length))).status, 401);
  assert.equal((await get('/', { Cookie: `convkit-auth-${d.port}=${'f'.repeat(d.token!.length)}` })).status, 401);
  const login = await get(new URL(d.loginUrl).pathname + new URL(d.loginUrl).search);
  assert.equal(login.status, 302);
  assert.equal(login.headers.location, '/');
  const set = String(login.headers['set-cookie']);
  assert.match(set, new RegExp(`^convkit-auth-${d.port}=${d.token};`));
  assert.match(set, /HttpOnly/);
  assert.match(set, /SameSite=Strict/);
  assert.equal((await get('/run?id=good&token=' + d.token)).headers.location, '/run?id=good');
  const page = await get('/', cookie());
  assert.equal(page.status, 200);
  assert.match(page.body, new RegExp(d.postToken));
  assert.doesNotMatch(page.body, new RegExp(d.token!));
  assert.equal((await get('/api/runs', { Authorization: `token ${d.token}` })).status, 200);
});

test('another local user (nobody) gets 401 on every route, and never sees a token', { skip: process.getuid?.() !== 0 && !process.env.CI ? 'needs root to switch user (CI runs as root)' : false }, async () => {
  assert.ok(existsSync('/usr/sbin/runuser') || existsSync('/sbin/runuser'), 'runuser (util-linux) is missing: cannot check access as a second user');
  assert.ok(existsSync('/usr/bin/curl'), 'curl is missing: cannot check access as a second user');
  for (const p of ROUTES) {
    const out = await new Promise<string>((resolve, reject) => {
      const c = spawn('runuser', ['-u', 'nobody', '--', 'curl', '-s', '-m', '20', '-w', '\n%{http_code}', `http://127.0.0.1:${d.port}${p}`], { stdio: ['ignore', 'pipe', 'inherit'] });
      let o = '';
      c.stdout.on('data', (b) => (o += b));
      c.on('error', reject);
      c.on('close', () => resolve(o));
    });
    const status = out.slice(out.lastIndexOf('\n') + 1);
    assert.equal(status, '401', `${p} as nobody: ${out}`);
    assert.doesNotMatch(out, new RegExp(`${d.token}|${d.postToken}`), p);
  }
});

const openFds = () => readdirSync('/proc/self/fd').length;

test('downloads abandoned mid-way close their file: the open descriptors come back to where they were', async () => {
  const before = openFds();
  const bigFd = () => readdirSync('/proc/self/fd').filter((f) => {
    try {
      return readlinkSync(`/proc/self/fd/${f}`).endsWith('big.txt');
    } catch {
      return false;
    }
  }).length;
  for (let i = 0; i < 20; i++) {
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: d.port, path: '/runs/good/big.txt', headers: cookie() }, (res) => {
        assert.equal(res.statusCode, 200);
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
    });
  }
  // the server closes each file once it sees the client gone; wait for that (an observable state), at most 30 s
  const deadline = Date.now() + 30_000;
  while (bigFd() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  process.stderr.write(`open fds: ${before} before, ${openFds()} after 20 abandoned downloads; big.txt open ${bigFd()} times\n`);
  assert.equal(bigFd(), 0, 'a file of an abandoned download is still open');
  assert.ok(openFds() <= before + 2, `open fds grew from ${before} to ${openFds()}`);
  assert.equal((await get('/api/runs', cookie())).status, 200);
});


test('hostile run folders (null metrics line, deep config, odd status, unreadable file, symlink loops) show as runs or broken runs; the index starts', async () => {
  const r = await get('/api/runs', cookie());
  assert.equal(r.status, 200);
  const runs = JSON.parse(r.body).runs as { id: string; state: string; bestValAccuracy?: number; broken?: string; hyper: Record<string, unknown> }[];
  const byId = Object.fromEntries(runs.map((x) => [x.id, x]));
  assert.deepEqual(Object.keys(byId).sort(), ['deep-config', 'good', 'null-line', 'odd-status', 'unreadable'], 'symlinked folders are not followed');
  assert.equal(byId['good'].bestValAccuracy, 0.7);
  assert.equal(byId['null-line'].bestValAccuracy, 0.5);
  assert.equal(byId['deep-config'].hyper.optimizer, '(too deep to show)');
  for (const id of Object.keys(byId)) assert.equal((await get(`/api/run?id=${id}`, cookie())).status, 200, id);
  assert.equal(JSON.parse((await get('/api/run?id=deep-config', cookie())).body).config, null, 'a config too deep to write is left out');
  // the live scan treats symlinks as the first one does: a new link to a run is not listed
  await fs.symlink(path.join(root, 'good'), path.join(root, 'late-link'));
  await writeRun(path.join(root, 'late'));
  let ids: string[] = [];
  const deadline = Date.now() + 60_000;
  while (!ids.includes('late') && Date.now() < deadline) {
    ids = JSON.parse((await get('/api/runs', cookie())).body).runs.map((x: { id: string }) => x.id);
    if (!ids.includes('late')) await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(ids.includes('late'));
  assert.ok(!ids.includes('late-link'), ids.join(','));
});

test('convkit compare reads a metrics file with a null line', async () => {
  const r = await runCli(['compare', path.join(root, 'null-line'), path.join(root, 'good'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).map((x: { best_val_accuracy: number }) => x.best_val_accuracy), [0.5, 0.7]);
});

test('convkit serve prints the address with its token; --no-auth warns; a short --token is refused', async () => {
  let r = await runCli(['serve', '--runs', root, '--port', '0', '--token', 'short']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^convkit: error: --token: the dashboard token must have at least 16 characters\n$/);
  for (const [args, env, expect] of [
    [['--token', 'a-secret-of-some-length'], {}, /\?token=a-secret-of-some-length /],
    [[], { CONVKIT_TOKEN: 'another-secret-of-length' }, /\?token=another-secret-of-length /],
    [['--no-auth'], {}, /dashboard: http:\/\/127\.0\.0\.1:\d+\/ \(/],
  ] as const) {
    const c = spawn(process.execPath, ['--import', 'tsx', cliMain, 'serve', '--runs', root, '--port', '0', ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stderr.on('data', (b) => (err += b));
    await new Promise<void>((resolve) => c.stdout.on('data', (b) => ((out += b), out.includes('\n') && resolve())));
    c.kill('SIGINT');
    await new Promise((res) => c.on('close', res));
    assert.match(out, expect);
    if (args[0] === '--no-auth') assert.match(err, /warning: --no-auth/);
  }
});
