#!/usr/bin/env node
// Start-up time of the CLI commands that compute nothing (benchmark, not a test: nothing asserted).
//   node bench/cli-start.mjs [--runs 20] [--bin packages/convkit/bin/convkit.js]
// Runs each command --runs times in a fresh process (the compiled CLI: `make build` first) and prints the median,
// min and max wall time, the median CPU time (user + system, which other jobs on a shared machine distort less than
// wall time) and the peak RSS of the last run. Plain node and `npx convkit` are measured for reference.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const runs = Number(arg('--runs', '20'));
const bin = path.resolve(arg('--bin', path.join(root, 'packages/convkit/bin/convkit.js')));

function measure(cmd, args) {
  const times = [];
  const cpu = [];
  let rssKb = 0;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    // /usr/bin/time: the child's user and system CPU seconds and peak RSS
    const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', cmd, ...args], { cwd: root, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t) / 1e9);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    const [user, sys, rss] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
    cpu.push(user + sys);
    rssKb = rss;
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const median = (xs) => xs[Math.floor(xs.length / 2)];
  return { median: median(times), min: times[0], max: times[times.length - 1], cpu: median(cpu), rssMb: rssKb / 1024 };
}

const rows = [
  ['node -e 0 (Node start-up alone)', process.execPath, ['-e', '0']],
  ['convkit --help', process.execPath, [bin, '--help']],
  ['convkit models', process.execPath, [bin, 'models']],
  ['convkit datasets', process.execPath, [bin, 'datasets']],
  ['convkit train --help', process.execPath, [bin, 'train', '--help']],
  ['npx convkit --help', 'npx', ['--no-install', 'convkit', '--help']],
];
console.log(`${runs} runs each, ${bin}`);
console.log('| command | wall median | min | max | CPU median | peak RSS |\n|---|---:|---:|---:|---:|---:|');
for (const [name, cmd, args] of rows) {
  const m = measure(cmd, args);
  console.log(`| \`${name}\` | ${m.median.toFixed(3)} s | ${m.min.toFixed(3)} s | ${m.max.toFixed(3)} s | ${m.cpu.toFixed(2)} s | ${m.rssMb.toFixed(0)} MB |`);
}
