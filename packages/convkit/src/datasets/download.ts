import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConvkitError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';

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

/**
 * Returns the local path of `file` in `cacheDir`, downloading it from `baseUrl` first if it is
 * not there. A download is hashed before it is renamed into place, so the cache only ever holds verified files.
 */
export async function fetchCached(baseUrl: string, file: RemoteFile, cacheDir: string, log: (msg: string) => void = () => {}): Promise<string> {
  const dest = path.join(cacheDir, file.name);
  try {
    await fs.access(dest);
    return dest;
  } catch {
    /* not cached yet */
  }
  const url = baseUrl.replace(/\/?$/, '/') + file.name;
  log(`downloading ${url}`);
  let body: Uint8Array;
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    body = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new ConvkitError(`download failed: ${(e as Error).message}`, { file: url, exitCode: 1 });
  }
  if (file.bytes !== undefined && body.length !== file.bytes) {
    throw new ConvkitError(`download has ${body.length} bytes, expected ${file.bytes}`, { file: url });
  }
  const digest = createHash('sha256').update(body).digest('hex');
  if (digest !== file.sha256) {
    throw new ConvkitError(`SHA-256 mismatch: got ${digest}, expected ${file.sha256}`, { file: url });
  }
  await writeFileAtomic(dest, body);
  return dest;
}
