import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** How to start this same convkit as a new process: node, its loader when running from source, the CLI entry. */
export interface ConvkitCommand {
  node: string;
  args: string[];
}

export function convkitCommand(): ConvkitCommand {
  const compiled = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  if (existsSync(compiled)) return { node: process.execPath, args: [compiled] };
  // From source (tsx): the loader by absolute URL, so that it resolves whatever the working directory of the job.
  const source = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
  return { node: process.execPath, args: ['--import', import.meta.resolve('tsx'), source] };
}
