import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConvkitError } from '../util/errors.js';

/** Root of convkit's cache: `$CONVKIT_HOME`, else `~/.cache/convkit`. */
export function convkitHome(): string {
  return process.env.CONVKIT_HOME || path.join(os.homedir(), '.cache', 'convkit');
}

export interface RemoteFile {
  /** File name in the cache folder and at the end of the URL. */
  name: string;
  sha256: string;
  /** Size in bytes, when known: checked before hashing for a clearer message. */
  bytes?: number;
}

export async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await fs.readFile(file)).digest('hex');
}

/** Default stall timeout of a download: fails when no byte arrived for this long (`$CONVKIT_DOWNLOAD_TIMEOUT` seconds). */
export function downloadTimeoutMs(): number {
  const s = Number(process.env.CONVKIT_DOWNLOAD_TIMEOUT);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 60_000;
}

export interface FetchOptions {
  /** Fail when no data arrived for this long (connecting included); default `downloadTimeoutMs()`. */
  timeoutMs?: number;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/**
 * Returns the local path of `file` in `cacheDir`, downloading it from `baseUrl` first if it is not there.
 * The body is streamed to a temporary file while it is hashed (never held whole in memory), with a stall timeout and
 * progress through `log` (every 10 %, or every 10 MB when the size is unknown); it is fsynced and renamed into place
 * only once its size and SHA-256 match, so the cache only ever holds verified files.
 */
export async function fetchCached(baseUrl: string, file: RemoteFile, cacheDir: string, log: (msg: string) => void = () => {}, opts: FetchOptions = {}): Promise<string> {
  const dest = path.join(cacheDir, file.name);
  try {
    await fs.access(dest);
    return dest;
  } catch {
    /* not cached yet */
  }
  const url = baseUrl.replace(/\/?$/, '/') + file.name;
  const timeoutMs = opts.timeoutMs ?? downloadTimeoutMs();
  log(`downloading ${url}`);
  await fs.mkdir(cacheDir, { recursive: true });
  const tmp = path.join(cacheDir, `.${file.name}.tmp-${process.pid}-${Date.now().toString(36)}${randomBytes(4).toString('hex')}`);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const stalled = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${timeoutMs / 1000} s (timeout; set CONVKIT_DOWNLOAD_TIMEOUT in seconds)`)), timeoutMs);
  };
  const fh = await fs.open(tmp, 'w');
  let ok = false;
  try {
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      stalled();
      const res = await fetch(url, { signal: controller.signal });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
      const total = Number(res.headers.get('content-length')) || file.bytes || 0;
      let shown = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        stalled();
        hash.update(chunk);
        await fh.write(chunk);
        bytes += chunk.length;
        if (file.bytes !== undefined && bytes > file.bytes) break;
        const step = total ? Math.floor((10 * bytes) / total) : Math.floor(bytes / 10e6);
        if (step > shown) {
          shown = step;
          log(total ? `  ${file.name}: ${mb(bytes)} / ${mb(total)} (${Math.min(100, step * 10)} %)` : `  ${file.name}: ${mb(bytes)}`);
        }
      }
    } catch (e) {
      const why = controller.signal.aborted ? (controller.signal.reason as Error).message : (e as Error).message;
      throw new ConvkitError(`download failed: ${why}`, { file: url, exitCode: 1 });
    } finally {
      clearTimeout(timer);
    }
    if (file.bytes !== undefined && bytes !== file.bytes) {
      throw new ConvkitError(`download has ${bytes > file.bytes ? 'more than ' : ''}${bytes} bytes, expected ${file.bytes}`, { file: url });
    }
    const digest = hash.digest('hex');
    if (digest !== file.sha256) {
      throw new ConvkitError(`SHA-256 mismatch: got ${digest}, expected ${file.sha256}`, { file: url });
    }
    await fh.sync();
    ok = true;
  } finally {
    await fh.close();
    if (!ok) await fs.rm(tmp, { force: true });
  }
  await fs.rename(tmp, dest);
  return dest;
}
