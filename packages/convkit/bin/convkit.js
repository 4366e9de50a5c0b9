#!/usr/bin/env node
// Runs the compiled CLI (`make build` or `npm run build` produces dist/).
import { main } from '../dist/cli/main.js';

process.exitCode = await main();
