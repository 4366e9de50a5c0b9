import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { writeDirAtomic } from '../util/atomic.js';
import { ConvkitError } from '../util/errors.js';
import { parseWith } from '../util/schema.js';
import { convkitHome, fetchCached } from './download.js';
import { indexGtsrb } from './gtsrb.js';

export const GTSRB_OFFICIAL_URL = 'https://sid.erda.dk/public/archives/daaeac0d7ce1152aea9b61d9f1e19370/';

/** The three official archives: training images + CSVs, test images, test ground truth (GT-final_test.csv). */
export const GTSRB_ARCHIVE_NAMES = ['GTSRB_Final_Training_Images.zip', 'GTSRB_Final_Test_Images.zip', 'GTSRB_Final_Test_GT.zip'] as const;

/**
 * SHA-256 of each archive, by file name. convkit ships none: the publisher gives no SHA-256 and none could be
 * checked here, so a user pins them once (`--manifest FILE`) after checking a first download.
 */
export type GtsrbManifest = Partial<Record<(typeof GTSRB_ARCHIVE_NAMES)[number], string>>;

export const GtsrbManifestSchema = z
  .object(Object.fromEntries(GTSRB_ARCHIVE_NAMES.map((n) => [n, z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 is 64 lowercase hex digits').optional()])))
  .strict();

export async function readGtsrbManifest(file: string): Promise<GtsrbManifest> {
  let value: unknown;
  try {
    value = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    throw new ConvkitError(e instanceof SyntaxError ? `not JSON (${e.message})` : 'cannot read manifest', { file });
  }
  return parseWith(GtsrbManifestSchema, value, file) as GtsrbManifest;
}

export interface GtsrbDownloadOptions {
  manifest: GtsrbManifest;
  baseUrl?: string;
  /** Where archives and the extracted folder go; default `$CONVKIT_HOME/gtsrb`. */
  cacheDir?: string;
  log?: (msg: string) => void;
}

const run = promisify(execFile);

// Debian's unzip (in the base image) rather than an npm zip library: the training archive is ~270 MB of 39,000 files.
async function unzip(zip: string, dest: string): Promise<void> {
  try {
    await run('unzip', ['-q', '-o', zip, '-d', dest], { maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new ConvkitError('cannot extract: the `unzip` program is missing (Debian package unzip)', { file: zip, exitCode: 1 });
    throw new ConvkitError(`cannot extract: ${(err.stderr || err.message).trim().split('\n')[0]}`, { file: zip });
  }
}

/**
 * Downloads the official GTSRB archives into the cache (each checked against its pinned SHA-256 before it is
 * kept), extracts them, puts GT-final_test.csv into GTSRB/Final_Test/, and returns the folder holding GTSRB/.
 * Extraction goes to a temporary folder that is checked with `indexGtsrb` before it is renamed into place.
 */
export async function downloadGtsrb(opts: GtsrbDownloadOptions): Promise<string> {
  const cacheDir = opts.cacheDir ?? path.join(convkitHome(), 'gtsrb');
  const log = opts.log ?? (() => {});
  const root = path.join(cacheDir, 'official');
  try {
    await fs.access(path.join(root, 'GTSRB', 'Final_Test', 'GT-final_test.csv'));
    return root;
  } catch {
    /* not extracted yet */
  }
  const unpinned = GTSRB_ARCHIVE_NAMES.filter((n) => !opts.manifest[n]);
  if (unpinned.length) {
    throw new ConvkitError(
      `no SHA-256 pinned for ${unpinned.join(', ')}: convkit ships no official checksum; ` +
        `give a manifest (--manifest FILE: JSON {"<archive name>": "<sha256>", ...})`,
    );
  }
  const zips: string[] = [];
  for (const name of GTSRB_ARCHIVE_NAMES) {
    zips.push(await fetchCached(opts.baseUrl ?? GTSRB_OFFICIAL_URL, { name, sha256: opts.manifest[name]! }, path.join(cacheDir, 'archives'), log));
  }
  await writeDirAtomic(root, async (tmp) => {
    for (const zip of zips) {
      log(`extracting ${path.basename(zip)}`);
      await unzip(zip, tmp);
    }
    const gt = path.join(tmp, 'GT-final_test.csv');
    const finalTest = path.join(tmp, 'GTSRB', 'Final_Test');
    await fs.mkdir(finalTest, { recursive: true });
    try {
      await fs.rename(gt, path.join(finalTest, 'GT-final_test.csv'));
    } catch {
      throw new ConvkitError('GT-final_test.csv is not at the top of the archive', { file: zips[2] });
    }
    await indexGtsrb(tmp);
  });
  return root;
}
