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
    .option('--token <secret>', 'access secret (default: $CONVKIT_TOKEN, else a fresh random one); the printed address carries it')
    .option('--no-auth', 'no access check: every local user (and, with --host, the network) can read your runs and stop them')
    .action(async (o) => {
      const { startDashboard } = await import('../web/server.js');
      const { checkSecret } = await import('../web/auth.js');
      const { ConvkitError } = await import('../util/errors.js');
      const log = (m: string) => process.stderr.write(m + '\n');
      const token: string | undefined = o.token ?? (process.env.CONVKIT_TOKEN || undefined);
      const bad = o.auth && token !== undefined ? checkSecret(token) : null;
      if (bad) throw new ConvkitError(bad, { file: o.token !== undefined ? '--token' : 'CONVKIT_TOKEN' });
      if (!o.auth) log('convkit serve: warning: --no-auth: anyone who can connect to this port can read every run and stop it');
      // one bad request or a bug in a handler must not take the dashboard down with the runs it shows
      process.on('uncaughtException', (e) => log(`convkit serve: uncaught: ${e?.stack ?? e}`));
      const d = await startDashboard({ runsDir: o.runs, host: o.host, port: o.port, token, auth: o.auth, log });
      process.stdout.write(`convkit dashboard: ${d.loginUrl} (${d.index.runs.size} runs in ${d.index.root}; Ctrl-C to quit)\n`);
      await new Promise<void>((resolve) => {
        const quit = () => {
          d.close().then(resolve);
        };
        process.once('SIGINT', quit);
        process.once('SIGTERM', quit);
      });
    });
}
