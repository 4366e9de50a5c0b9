// Writes docs/cli.md, the command-line reference, from the command definitions (packages/convkit/src/cli/).
// Usage: npm run docs:cli   (node --import tsx scripts/gen-cli-doc.ts); cli/reference.test.ts fails when it is stale.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../packages/convkit/src/cli/main.js';
import { CLI_DOC, cliReference } from '../packages/convkit/src/cli/reference.js';
import { writeFileAtomic } from '../packages/convkit/src/util/atomic.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, CLI_DOC);
await writeFileAtomic(file, cliReference(buildProgram()));
process.stdout.write(`wrote ${path.relative(root, file)}\n`);
