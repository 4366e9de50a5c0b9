import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const CONVKIT_VERSION: string = require('../package.json').version;
