import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root and the read-only shared data beside it (CI copies shared/ next to its clone). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedData = path.resolve(repoRoot, '../shared/data');
export const mnistDir = path.join(sharedData, 'mnist');
export const gtsrbMiniDir = path.join(sharedData, 'gtsrb-mini');
export const cliMain = path.join(repoRoot, 'packages/convkit/src/cli/main.ts');
