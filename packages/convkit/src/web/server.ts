import { randomBytes } from 'node:crypto';
import { constants as fsConstants, existsSync, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRunConfigOrNull } from '../run/config.js';
import { RUN_FILE_NAMES } from '../run/layout.js';
import { readRunMetrics } from '../run/metrics.js';
import { readRunResultOrNull } from '../run/result.js';
import { readRunStatus } from '../run/status.js';
import { ConvkitError } from '../util/errors.js';
import { accessFor, authorise, newSecret, type Access } from './auth.js';
import { analysisDirFor, gtsrbRootOf } from './datasets.js';
import { PAGES, pageHtml, TRY_IT_BUNDLE, type PageName } from './pages.js';
import { RunIndex } from './run-index.js';
import type { RunSummary } from './run-summary.js';
import { hostAllowed, LIMITS, originAllowed, resolveUnder, tokenMatches } from './security.js';
import { stopRun } from './stop.js';

export interface DashboardOptions {
  runsDir: string;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** The access secret (`--token`, CONVKIT_TOKEN); a fresh random one when not given. */
  token?: string;
  /** false: anyone who can connect may read every run and stop it (`--no-auth`). */
  auth?: boolean;
  log?: (m: string) => void;
}

export interface Dashboard {
  /** The bare address (pages need the cookie or the secret). */
  url: string;
  /** The address with the secret: what `convkit serve` prints; opening it sets the cookie. */
  loginUrl: string;
  port: number;
  /** The access secret, null with auth off. */
  token: string | null;
  /** The POST (XSRF) token the pages hold, sent back as X-Convkit-Token. */
  postToken: string;
  index: RunIndex;
  server: http.Server;
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** The stylesheet: beside this file when run from source, in src/web/static when run from dist/ (scripts are bundled). */
const STATIC_DIR = [path.join(here, 'static'), path.join(here, '../../src/web/static')].find((d) => existsSync(d)) ?? path.join(here, 'static');
const UPLOT_DIR = path.dirname(createRequire(import.meta.url).resolve('uplot'));
const VENDOR: Record<string, string> = {
  'uPlot.min.css': path.join(UPLOT_DIR, 'uPlot.min.css'),
};
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
};
const PAGE_CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** Files of the runs folder (reports a run wrote) open in an opaque origin: their scripts cannot reach the API or the token. */
const FILE_CSP = "sandbox allow-scripts; default-src 'self' 'unsafe-inline' data: blob:";

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `convkit serve`: the dashboard over node:http. Resolves once it listens. */
export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const runsDir = path.resolve(opts.runsDir);
  let st;
  try {
    st = await fs.stat(runsDir);
  } catch {
    throw new ConvkitError('runs directory not found', { file: opts.runsDir });
  }
  if (!st.isDirectory()) throw new ConvkitError('not a directory', { file: opts.runsDir });
  const host = opts.host ?? '127.0.0.1';
  const secret = opts.auth === false ? null : (opts.token ?? newSecret());
  const token = randomBytes(24).toString('hex'); // the POST token: only in pages served to an authenticated client
  let access: Access = accessFor(secret, 0); // its cookie name is set once the port is known
  const index = new RunIndex(runsDir);
  await index.start();

  const sse = new Set<http.ServerResponse>();
  /** A client that does not read its stream is dropped once LIMITS.sseBufferBytes are queued for it. */
  const sseWrite = (res: http.ServerResponse, msg: string) => {
    if (res.writableLength > LIMITS.sseBufferBytes) {
      sse.delete(res);
      res.destroy();
      return;
    }
    res.write(msg);
  };
  const broadcast = (event: string, data: unknown) => {
    let msg: string;
    try {
      msg = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    } catch (e) {
      return opts.log?.(`convkit serve: cannot send a ${event} event: ${(e as Error).message}`);
    }
    for (const res of sse) sseWrite(res, msg);
  };
  index.on('run', (s: RunSummary) => broadcast('run', s));
  index.on('removed', (id: string) => broadcast('removed', { id }));
  index.on('warning', (e: Error) => opts.log?.(`convkit serve: ${e.message}`));
  const keepAlive = setInterval(() => {
    for (const res of sse) sseWrite(res, ': keep-alive\n\n');
  }, 15_000);
  keepAlive.unref();

  const server = http.createServer({ maxHeaderSize: LIMITS.headerBytes, requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : e instanceof ConvkitError ? 422 : 500;
      if (status === 500) opts.log?.(`convkit serve: ${(e as Error)?.stack ?? e}`);
      const message = e instanceof HttpError || e instanceof ConvkitError ? e.message : 'internal error';
      if (res.headersSent) res.end();
      else if (/text\/html/.test(req.headers.accept ?? '') && !req.url?.startsWith('/api/')) send(res, status, TYPES['.html'], errorPage(status, message), { 'Content-Security-Policy': PAGE_CSP });
      else sendJson(res, status, { error: message });
    });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  const runDir = (id: string | null): string => {
    const dir = id === null ? undefined : index.dirOf(id);
    if (!dir) throw new HttpError(404, 'unknown run');
    return dir;
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, host)) throw new HttpError(403, 'foreign Host header (DNS rebinding protection)');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > LIMITS.bodyBytes || (req.headers['transfer-encoding'] && req.method !== 'POST')) {
      res.setHeader('Connection', 'close');
      throw new HttpError(413, 'request body too large');
    }
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q < 0 ? raw : raw.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    const verdict = authorise(req, pathname, params, access);
    if (!verdict.ok) throw new HttpError(401, 'open the address `convkit serve` printed (it carries the token), or send Authorization: token …');
    if ('redirect' in verdict) return void res.writeHead(302, { Location: verdict.redirect, 'Set-Cookie': verdict.setCookie, 'Cache-Control': 'no-store', 'Content-Length': 0 }).end();
    if (req.method === 'POST') {
      if (!originAllowed(req.headers.origin, req.headers.host) || !tokenMatches(req.headers['x-convkit-token'], token)) throw new HttpError(403, 'missing or wrong token');
      await readBody(req);
      if (pathname === '/api/run/stop') {
        const r = await stopRun(runDir(params.get('id')));
        if (!r.ok) throw new HttpError(r.status, r.reason);
        return sendJson(res, 202, { stopping: true, pid: r.pid });
      }
      if (pathname === '/api/datasets/analyse') {
        const root = params.get('root');
        const source = (await datasetSources()).find((s) => s.root === root);
        if (!source) throw new HttpError(404, 'not the GTSRB folder of any run');
        return sendJson(res, 200, await analyseSource(source.root));
      }
      if (pathname === '/api/run/analysis') return sendJson(res, 200, await analysis(runDir(params.get('id'))));
      throw new HttpError(404, 'not found');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD, POST');
      throw new HttpError(405, 'method not allowed');
    }

    const page = (pathname === '/' ? 'runs' : pathname.slice(1)) as PageName;
    if (Object.hasOwn(PAGES, page)) {
      if (page === 'run' || page === 'maths') runDirOrNone(params.get('id'), page === 'run');
      return send(res, 200, TYPES['.html'], pageHtml(page, token), { 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store' });
    }
    if (pathname === '/favicon.ico') return void res.writeHead(204).end();
    if (pathname.startsWith('/static/')) return serveStatic(res, pathname.slice('/static/'.length));
    if (pathname.startsWith('/api/run/model/')) return serveModelFile(res, runDir(params.get('id')), pathname.slice('/api/run/model/'.length));
    if (pathname.startsWith('/runs/')) {
      const file = await resolveUnder(runsDir, pathname.slice('/runs/'.length));
      if (!file) throw new HttpError(404, 'not found');
      return serveFile(res, file, FILE_CSP);
    }
    switch (pathname) {
      case '/api/runs':
        return sendJson(res, 200, { root: runsDir, runs: index.list() });
      case '/api/events':
        return openEvents(req, res);
      case '/api/run': {
        const id = params.get('id');
        const dir = runDir(id);
        const [config, status, result, metrics] = await Promise.all([readRunConfigOrNull(dir), readRunStatus(dir), readRunResultOrNull(dir), readRunMetrics(dir)]);
        // A config.json nested too deep for JSON.stringify (a hostile folder) is left out, not answered with a 500.
        return sendJson(res, 200, { summary: index.runs.get(id!), config: stringifiable(config) ? config : null, status, result, metrics });
      }
      case '/api/compare': {
        const ids = compareIds(params);
        if (!ids.length) throw new HttpError(404, 'no runs to compare');
        const runs = await Promise.all(ids.map(async (id) => ({ summary: index.runs.get(id)!, metrics: await readRunMetrics(runDir(id)) })));
        return sendJson(res, 200, { runs });
      }
      case '/api/run/samples': {
        const dir = runDir(params.get('id'));
        const n = Math.min(64, Math.max(1, Number(params.get('count') ?? 16) || 16));
        const { sampleImages } = await import('./maths.js'); // tfjs and the datasets load only when a maths page asks
        return sendJson(res, 200, { images: await sampleImages(dir, n) });
      }
      case '/api/run/first-layer': {
        const dir = runDir(params.get('id'));
        const { firstLayer } = await import('./maths.js');
        const layer = await firstLayer(dir, Number(params.get('image') ?? 0));
        if (!layer) throw new HttpError(404, 'this run has no saved weights with a convolution yet');
        return sendJson(res, 200, layer);
      }
      case '/api/run/batches': {
        const dir = runDir(params.get('id'));
        const { batchCurves } = await import('./batch-curves.js');
        return sendJson(res, 200, { points: await batchCurves(dir) });
      }
      case '/api/datasets':
        return sendJson(res, 200, { datasets: [...index.datasets.values()], audits: [...index.audits.values()], sources: await datasetSources() });
    }
    throw new HttpError(404, 'not found');
  }

  function runDirOrNone(id: string | null, required: boolean): void {
    if (id === null && !required) return;
    runDir(id);
  }

  function compareIds(params: URLSearchParams): string[] {
    const group = params.get('group');
    let ids = params.getAll('id').flatMap((s) => s.split(',')).filter(Boolean);
    if (group !== null) ids = index.list().filter((r) => r.group === group || r.group.startsWith(group + '/')).map((r) => r.id);
    for (const id of ids) runDir(id);
    return [...new Set(ids)].slice(0, 100);
  }

  function openEvents(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (sse.size >= LIMITS.sseClients) throw new HttpError(503, 'too many event streams open');
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Content-Type-Options': 'nosniff' });
    res.write('retry: 1000\n\n');
    sse.add(res);
    req.on('close', () => sse.delete(res));
  }

  /** The GTSRB folders the runs were trained from (directly or through a prepared set), with their analysis if written. */
  async function datasetSources(): Promise<{ root: string; runs: string[]; report?: string }[]> {
    const byRoot = new Map<string, string[]>();
    const roots = new Map<string, Promise<string | null>>();
    for (const r of index.list()) {
      if (!r.data) continue;
      if (!roots.has(r.data)) roots.set(r.data, gtsrbRootOf(r.data, [process.cwd(), path.dirname(runsDir), runsDir]).catch(() => null));
      const root = await roots.get(r.data)!;
      if (root) byRoot.set(root, [...(byRoot.get(root) ?? []), r.id]);
    }
    const sameFolder = (p: string, root: string) => path.resolve(p) === root || path.resolve(p) === path.join(root, 'GTSRB');
    // the newest audit of the folder (`convkit audit gtsrb:ROOT --out RUNS/datasets/NAME`)
    const audits = [...index.audits.values()].sort((a, b) => b.created.localeCompare(a.created));
    return [...byRoot].map(([root, runs]) => ({
      root,
      runs,
      report: [...index.datasets.values()].find((d) => sameFolder(d.root, root))?.id,
      audit: audits.find((a) => a.html && a.source && sameFolder(a.source, root))?.id,
    }));
  }

  const analysing = new Map<string, Promise<{ id: string }>>();
  function analyseSource(root: string): Promise<{ id: string }> {
    let p = analysing.get(root);
    if (!p) {
      p = (async () => {
        const { analyseGtsrb } = await import('../report/gtsrb-analysis.js');
        const out = analysisDirFor(runsDir, root);
        await analyseGtsrb(root, { out, log: () => {} });
        const id = path.relative(runsDir, out).split(path.sep).join('/');
        await index.addDatasetDir(out);
        return { id };
      })().finally(() => analysing.delete(root));
      analysing.set(root, p);
    }
    return p;
  }

  /** The reports issue's analysis (evaluates the test split once, cached in the run folder); one at a time per run. */
  const analyses = new Map<string, Promise<unknown>>();
  function analysis(dir: string): Promise<unknown> {
    let p = analyses.get(dir);
    if (!p) {
      p = (async () => {
        const { analyseRun } = await import('../report/analysis.js');
        const quiet = { log: () => {} };
        try {
          return await analyseRun(dir, { ...quiet, checkpoint: 'best' });
        } catch (e) {
          if (!(e instanceof ConvkitError)) throw e;
          return await analyseRun(dir, { ...quiet, checkpoint: 'last' }); // a run stopped before its first best checkpoint
        }
      })().finally(() => analyses.delete(dir));
      analyses.set(dir, p);
    }
    return p;
  }

  /**
   * A file of a run's saved model (tfjs format: model.json and the weight files it names), for the run page's try-it
   * panel, which loads it with tfjs in the page: one plain name, resolved inside the run folder's own model/ folder
   * (not through a model/ link to elsewhere).
   */
  async function serveModelFile(res: http.ServerResponse, dir: string, name: string): Promise<void> {
    const file = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name) ? await resolveUnder(dir, `${RUN_FILE_NAMES.model}/${name}`) : null;
    if (!file || path.dirname(file) !== path.join(await fs.realpath(dir), RUN_FILE_NAMES.model)) throw new HttpError(404, 'no such file in the run\'s saved model (it is written when training ends)');
    return serveFile(res, file);
  }

  async function serveStatic(res: http.ServerResponse, name: string): Promise<void> {
    if (Object.hasOwn(VENDOR, name)) return serveFile(res, VENDOR[name]);
    if (name === `${TRY_IT_BUNDLE}.js`) {
      const { tryItBundle } = await import('./pages-bundle.js'); // tfjs for the page: only when a run page opens its try-it panel
      return send(res, 200, TYPES['.js'], await tryItBundle(), { 'Cache-Control': 'no-cache' });
    }
    const page = /^([a-z]+)\.js$/.exec(name)?.[1];
    if (page && Object.hasOwn(PAGES, page)) {
      const { pageBundle } = await import('./pages-bundle.js'); // web/browser/<page>.ts bundled with the report's views
      return send(res, 200, TYPES['.js'], await pageBundle(page as PageName), { 'Cache-Control': 'no-cache' });
    }
    if (!/^[a-z0-9-]+\.css$/.test(name)) throw new HttpError(404, 'not found');
    return serveFile(res, path.join(STATIC_DIR, name));
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new ConvkitError(`port ${opts.port} is in use (try --port 0 or another port)`) : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' ? new ConvkitError(`cannot bind ${host}: ${e.code}`) : e));
      server.listen(opts.port ?? 6006, host, () => resolve());
    });
  } catch (e) {
    clearInterval(keepAlive);
    index.close();
    throw e;
  }
  const addr = server.address() as AddressInfo;
  access = accessFor(secret, addr.port);
  const urlHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${urlHost}:${addr.port}/`;
  return {
    url,
    loginUrl: secret === null ? url : `${url}?token=${encodeURIComponent(secret)}`,
    port: addr.port,
    token: secret,
    postToken: token,
    index,
    server,
    close: async () => {
      clearInterval(keepAlive);
      index.close();
      for (const res of sse) res.end();
      sse.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function errorPage(status: number, message: string): string {
  const esc = message.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><meta charset="utf-8"><title>convkit · ${status}</title><link rel="stylesheet" href="/static/app.css"><main><h1>${status} ${http.STATUS_CODES[status] ?? ''}</h1><p>${esc}</p><p><a href="/">Runs</a></p></main>`;
}

/** Reads (and discards) a POST body, refusing more than LIMITS.bodyBytes. */
function readBody(req: http.IncomingMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > LIMITS.bodyBytes) {
        req.removeAllListeners('data');
        reject(new HttpError(413, 'request body too large'));
        req.resume();
      }
    });
    req.on('end', () => resolve());
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** Whether JSON.stringify can write `v` (not nested too deep for the stack). */
function stringifiable(v: unknown): boolean {
  try {
    JSON.stringify(v);
    return true;
  } catch {
    return false;
  }
}

function sendJson(res: http.ServerResponse, status: number, data: unknown): void {
  send(res, status, TYPES['.json'], JSON.stringify(data), { 'Cache-Control': 'no-store' });
}

async function serveFile(res: http.ServerResponse, file: string, csp?: string): Promise<void> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK); // a FIFO planted in a run folder must not hang a worker thread
  } catch {
    throw new HttpError(404, 'not found');
  }
  let st;
  try {
    st = await fh.stat();
  } catch (e) {
    await fh.close();
    throw e;
  }
  if (!st.isFile() || res.req.method === 'HEAD') await fh.close();
  if (!st.isFile()) throw new HttpError(404, 'not found');
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': st.size,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
    ...(csp ? { 'Content-Security-Policy': csp } : {}),
  });
  if (res.req.method === 'HEAD') return void res.end();
  // pipeline closes the file when the client goes away mid-download and turns a read error into a cut response
  await pipeline(fh.createReadStream(), res).catch(() => res.destroy());
}
