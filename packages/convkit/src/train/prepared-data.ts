import { looksLikeGtsrb } from '../datasets/gtsrb-folder.js';
import { preparedGtsrbSet, type PrepareBlock } from '../prepare/cache.js';

export interface PreparedData {
  /** The GTSRB folder given as data. */
  root: string;
  settings: PrepareBlock;
  /** The prepared .h5 the run trains on. */
  file: string;
  hash: string;
  cached: boolean;
  seconds: number;
}

/** `--data gtsrb:ROOT` (or a GTSRB folder) with a `prepare:` block → the cached prepared set; anything else → null. */
export async function resolvePreparedData(data: string, block: PrepareBlock | undefined, log: (m: string) => void = (m) => process.stderr.write(m + '\n')): Promise<PreparedData | null> {
  if (!block) return null;
  const root = data.startsWith('gtsrb:') ? data.slice('gtsrb:'.length) : (await looksLikeGtsrb(data)) ? data : null;
  if (root === null) return null;
  const r = await preparedGtsrbSet(root, block, log);
  return { root, settings: block, ...r };
}
