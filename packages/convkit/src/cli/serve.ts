import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError(`expected a port 0–65535, got "${value}"`);
  return n;
}

/** `convkit serve`: the live dashboard over the runs folder. */
export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('live dashboard of the runs under --runs: curves, Stop, reports, comparison, the maths demystified (loopback only unless --host)')
    .option('--runs <dir>', 'folder holding the runs (nested batch folders too)', 'runs')
    .option('--port <n>', 'port (0 = any free one)', port, 6006)
    .option('--host <addr>', 'address to bind; anything but loopback exposes your runs and the Stop button to the network', '127.0.0.1')
    .action(async (o) => {
      const { startDashboard } = await import('../web/server.js');
      const d = await startDashboard({ runsDir: o.runs, host: o.host, port: o.port, log: (m) => process.stderr.write(m + '\n') });
      process.stdout.write(`convkit dashboard: ${d.url} (${d.index.runs.size} runs in ${d.index.root}; Ctrl-C to quit)\n`);
      await new Promise<void>((resolve) => {
        const quit = () => {
          d.close().then(resolve);
        };
        process.once('SIGINT', quit);
        process.once('SIGTERM', quit);
      });
    });
}
