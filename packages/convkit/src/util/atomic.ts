import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

// Not Math.random: during training it is the seeded stream tfjs draws dropout from, and a status write must not shift it.
function tempSibling(finalPath: string): string {
  const dir = path.dirname(finalPath);
  return path.join(dir, `.${path.basename(finalPath)}.tmp-${process.pid}-${Date.now().toString(36)}${randomBytes(4).toString('hex')}`);
}

/** Writes a file under a temporary name, fsyncs it, then renames it: readers never see half a file. */
export async function writeFileAtomic(finalPath: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(finalPath), { recursive: true });
  const tmp = tempSibling(finalPath);
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await fs.rename(tmp, finalPath);
}

export async function writeJsonAtomic(finalPath: string, value: unknown): Promise<void> {
  await writeFileAtomic(finalPath, JSON.stringify(value, null, 2) + '\n');
}

/** A temporary sibling directory of `finalDir` filled by `fill` (removed again if `fill` throws). */
async function filledTempDir(finalDir: string, fill: (tmpDir: string) => Promise<void>): Promise<string> {
  await fs.mkdir(path.dirname(finalDir), { recursive: true });
  const tmp = tempSibling(finalDir);
  await fs.mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return tmp;
}

/**
 * Fills a temporary directory with `fill`, then swaps it in as `finalDir`
 * (the previous content, if any, is removed only after the new one is complete).
 */
export async function writeDirAtomic(finalDir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  const tmp = await filledTempDir(finalDir, fill);
  const old = `${tmp}.old`;
  let hadOld = false;
  try {
    await fs.rename(finalDir, old);
    hadOld = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await fs.rename(tmp, finalDir);
  if (hadOld) await fs.rm(old, { recursive: true, force: true });
}

/**
 * Replaces `finalDir` with a complete new directory filled by `fill` and keeps the one it replaces as
 * `<finalDir>.prev`, so a directory damaged after the fact still leaves a good one to fall back to.
 */
export async function writeDirRotating(finalDir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  const tmp = await filledTempDir(finalDir, fill);
  const prev = `${finalDir}.prev`;
  if (await exists(finalDir)) {
    await fs.rm(prev, { recursive: true, force: true });
    await fs.rename(finalDir, prev);
  }
  // Killed right here: `finalDir` is missing and `<finalDir>.prev` is complete, to fall back to.
  await fs.rename(tmp, finalDir);
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}
