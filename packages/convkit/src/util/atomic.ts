import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** This host as it appears in temporary names (hostnames hold no `@`, which ends it). */
const HOST_TAG = os.hostname().replace(/[^A-Za-z0-9.-]/g, '_') || 'host';

/**
 * The name of a temporary sibling of `finalPath` that only convkit writes: `.NAME.KIND-HOST@PID-STAMP`, the stamp being
 * the time in base 36 and 8 random hex digits. Tidying matches exactly this shape (and the host), so a user's own
 * `.env.old-20231201-abc` beside a prepared set is never taken for one of ours.
 */
// Not Math.random: during training it is the seeded stream tfjs draws dropout from, and a status write must not shift it.
export function convkitSibling(finalPath: string, kind: 'tmp' | 'new' | 'old'): string {
  return path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.${kind}-${HOST_TAG}@${process.pid}-${Date.now().toString(36)}${randomBytes(4).toString('hex')}`);
}
const tempSibling = (finalPath: string) => convkitSibling(finalPath, 'tmp');

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

// Sibling names of a directory swap: `.NAME.tmp-…` being filled (garbage if killed), `.NAME.new-…` complete and
// about to become NAME, `.NAME.old-…` the NAME it replaces. Each carries the writer's host and pid (convkitSibling);
// LEGACY_ENTRY is the shape earlier versions wrote (pid, 8 base-36 time digits, 8 hex), still settled.
const SWAP_ENTRY = /^\.(.+)\.(tmp|new|old)-([A-Za-z0-9._-]+)@(\d+)-[0-9a-z]{6,10}[0-9a-f]{8}(?:\.old)?$/;
const LEGACY_ENTRY = /^\.(.+)\.(tmp|new|old)-(\d+)-[0-9a-z]{8}[0-9a-f]{8}(?:\.old)?$/;
const swapSibling = convkitSibling;

/** The name, kind and pid of one of our temporaries written on this host, or null for anything else. */
function swapEntry(n: string): { name: string; kind: 'tmp' | 'new' | 'old'; pid: number } | null {
  const m = SWAP_ENTRY.exec(n);
  if (m && m[3] !== HOST_TAG) return null; // another host's (a shared file system): its pid means nothing here
  const legacy = m ? null : LEGACY_ENTRY.exec(n);
  if (!m && !legacy) return null;
  const name = (m ?? legacy)![1];
  const kind = n.endsWith('.old') ? 'old' : ((m ?? legacy)![2] as 'tmp' | 'new' | 'old'); // `.NAME.tmp-….old`: the old name of an earlier version
  return { name, kind, pid: Number(m ? m[4] : legacy![3]) };
}

/** Fills a temp dir, then renames it to its "complete" name: from here on, a kill leaves it to be put in place. */
async function completeTempDir(finalDir: string, fill: (tmpDir: string) => Promise<void>): Promise<string> {
  const tmp = await filledTempDir(finalDir, fill);
  const ready = swapSibling(finalDir, 'new');
  await fs.rename(tmp, ready);
  return ready;
}

/**
 * Fills a temporary directory with `fill`, then swaps it in as `finalDir` (the previous content, if any, is removed
 * only after the new one is in place). POSIX has no atomic swap of two directories, so for an instant `finalDir` is
 * missing; a kill then leaves the new directory, complete, as `.NAME.new-…`, and `settleInterruptedWrites` (run by the
 * next write and by `--resume`) puts it under its name: a reader finds the old or the new content, never a loss.
 */
export async function writeDirAtomic(finalDir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  await settleInterruptedWrites(path.dirname(finalDir), path.basename(finalDir));
  const ready = await completeTempDir(finalDir, fill);
  const old = swapSibling(finalDir, 'old');
  let hadOld = false;
  try {
    await fs.rename(finalDir, old);
    hadOld = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await fs.rename(ready, finalDir);
  if (hadOld) await fs.rm(old, { recursive: true, force: true });
}

/**
 * Replaces `finalDir` with a complete new directory filled by `fill` and keeps the one it replaces as
 * `<finalDir>.prev`, so a directory damaged after the fact still leaves a good one to fall back to.
 */
export async function writeDirRotating(finalDir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  await settleInterruptedWrites(path.dirname(finalDir), path.basename(finalDir));
  const ready = await completeTempDir(finalDir, fill);
  const prev = `${finalDir}.prev`;
  if (await exists(finalDir)) {
    await fs.rm(prev, { recursive: true, force: true });
    await fs.rename(finalDir, prev);
  }
  // Killed right here: `finalDir` is missing; settleInterruptedWrites puts the complete new one in place.
  await fs.rename(ready, finalDir);
}

/** Whether a process with this pid exists on this host (EPERM: it exists but is another user's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Finishes directory swaps in `dir` that a kill interrupted (of every name, or of `only`): a missing NAME gets its
 * complete `.NAME.new-…` (else its `.NAME.old-…`) back; leftovers are removed. Entries of another live process are
 * left alone (it may be writing them). Returns the names it put back.
 */
export async function settleInterruptedWrites(dir: string, only?: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const byName = new Map<string, { tmp: string[]; new: string[]; old: string[] }>();
  for (const n of names) {
    const m = swapEntry(n);
    if (!m || (only !== undefined && m.name !== only)) continue;
    if (m.pid !== process.pid && pidAlive(m.pid)) continue;
    const e = byName.get(m.name) ?? { tmp: [], new: [], old: [] };
    e[m.kind].push(n);
    byName.set(m.name, e);
  }
  const restored: string[] = [];
  for (const [name, e] of byName) {
    const finalDir = path.join(dir, name);
    if (!(await exists(finalDir))) {
      const back = e.new.pop() ?? e.old.pop();
      if (back) {
        await fs.rename(path.join(dir, back), finalDir);
        restored.push(name);
      }
    }
    for (const n of [...e.tmp, ...e.new, ...e.old]) await fs.rm(path.join(dir, n), { recursive: true, force: true });
  }
  return restored;
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** fsyncs a directory, so the renames done in it survive a power loss. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
