import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { BatchStatus } from '../batch/status.js';
import type { ResolveOptions } from '../batch/config.js';
import { writeFileAtomic } from '../util/atomic.js';
import { ConvkitError } from '../util/errors.js';
import { bold, table } from '../util/term.js';
import { choice, positiveInt, positiveNumber, printJson } from './options.js';

// Fast start: the batch modules (zod, the model catalogue, tfjs for model files) load inside the actions.
const config = () => import('../batch/config.js');
const plan = () => import('../batch/plan.js');

const collect = (v: string, all: string[]) => [...all, v];

function optionsText(o: Record<string, unknown>): string {
  return Object.entries(o)
    .map(([k, v]) => `${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}=${v}`)
    .join(' ');
}

function statusText(s: BatchStatus): string {
  const rows = s.jobs.map((j) => [
    j.id,
    j.dataset,
    j.model,
    optionsText({ ...j.variant, ...(j.repeat ? { repeat: j.repeat } : {}) }),
    j.state,
    j.epoch !== null && j.epochs ? `${j.epoch}/${j.epochs}` : '',
    j.test_accuracy !== null ? `${(j.test_accuracy * 100).toFixed(2)} %` : (j.error ?? ''),
  ]);
  const c = s.counts;
  return `${table(['job', 'dataset', 'model', 'grid', 'state', 'epoch', 'accuracy / error'], rows, ['l', 'l', 'l', 'l', 'l', 'r', 'l'])}\n\n${s.name}: ${c.done} done, ${c.running} running, ${c.failed} failed, ${c.interrupted} interrupted, ${c.pending} pending`;
}

/** `convkit report BATCH_DIR`: the comparison table of a batch's results.jsonl. */
export async function reportBatchDir(dir: string, o: { json?: boolean; md?: string }): Promise<void> {
  const { readRecords, resultsFile } = await import('../batch/results.js');
  const { batchScaling, batchTable, batchTableMarkdown, batchTableText, scalingMarkdown, scalingText } = await import('../report/batch-table.js');
  const records = await readRecords(dir);
  if (!records.length) throw new ConvkitError('no job recorded yet (results.jsonl is empty)', { file: resultsFile(dir) });
  const t = batchTable(records);
  // accuracy against the number of training images, for the datasets the batch trained at two sizes or more
  const scaling = batchScaling(records);
  if (o.md) await writeFileAtomic(o.md, [batchTableMarkdown(t), scalingMarkdown(scaling)].filter(Boolean).join('\n'));
  if (o.json) printJson({ ...t, scaling });
  else process.stdout.write([batchTableText(t, (s) => (process.stdout.isTTY && !process.env.NO_COLOR ? bold(s, process.stdout) : `*${s}*`)), scalingText(scaling)].filter(Boolean).join('\n\n') + '\n');
}

export function registerBatchCommands(program: Command): void {
  const batch = program.command('batch').description('many trainings from one config (datasets × models × grid × repeats), on a local pool or Slurm');
  // plan, run and status: each takes the config file and --set overrides, and loads the config the same way
  const configCommand = (name: string, description: string) =>
    batch.command(name).description(description).argument('<config>', 'batch config (YAML or JSON)').option('--set <key=value>', 'override a config key, e.g. train.epochs=2 (repeatable)', collect, [] as string[]);
  const loadConfig = async (file: string, o: { set: string[] }, opts?: ResolveOptions) => (await config()).loadBatchConfig(file, o.set, opts);

  configCommand('plan', 'list the jobs a config expands to (id = hash of the job\'s resolved config)')
    .option('--json', 'print JSON', false)
    .action(async (file: string, o) => {
      // A dataset still to be prepared does not hide the plan: one warning line each; `batch run` refuses it.
      const missing: string[] = [];
      const c = await loadConfig(file, o, { onMissingDataset: (e) => missing.push(e.message) });
      for (const m of missing) process.stderr.write(`convkit: warning: ${m} — its jobs are listed; \`batch run\` refuses them until it exists\n`);
      const jobs = (await plan()).planJobs(c);
      if (o.json) return printJson({ name: c.name, out: c.out, jobs, missingDatasets: missing });
      const rows = jobs.map((j) => [j.id, j.datasetLabel, j.modelLabel, optionsText(j.options as Record<string, unknown>)]);
      process.stdout.write(`${table(['job', 'dataset', 'model', 'options'], rows, ['l', 'l', 'l', 'l'])}\n\n${jobs.length} job(s) → ${path.join(c.out, 'runs')}\n`);
    });

  configCommand('run', 'run every job not yet done (interrupted ones resume from their checkpoints); exit 0 every job done and recorded, 1 some failed or unfinished, 129/130/143 interrupted by SIGHUP/SIGINT/SIGTERM (rerun to continue)')
    .option('--executor <name>', 'local (a pool of processes on this machine) | slurm (one sbatch job array)', choice(['local', 'slurm']), 'local')
    .option('--parallel <n>', 'local: jobs at once (parallel × CONVKIT_THREADS ≤ cores)', positiveInt, 1)
    .option('--poll <seconds>', 'slurm: how often to look at the queue', positiveNumber, 2)
    .action(async (file: string, o, cmd: Command) => {
      const c = await loadConfig(file, o);
      const { runBatch } = await import('../batch/runner.js');
      const { resultsFile } = await import('../batch/results.js');
      if (o.executor === 'slurm' && cmd.getOptionValueSource('parallel') === 'cli') throw new ConvkitError('option --parallel: for --executor local (Slurm runs as many tasks as it has room for; slurm.max-running limits them)');
      const envThreads = process.env.CONVKIT_THREADS;
      const threads = envThreads !== undefined && /^\d+$/.test(envThreads) && Number(envThreads) > 0 ? Number(envThreads) : undefined;
      const s = await runBatch(c, { executor: o.executor, parallel: o.parallel, threads, cores: os.availableParallelism(), pollMs: Math.max(0.2, o.poll) * 1000 });
      const results = resultsFile(c.out);
      process.stderr.write(`convkit batch: ${c.name}: ${s.completed} completed, ${s.failed} failed, ${s.unfinished} unfinished, ${s.skipped} already done or running (results: ${results})\n`);
      if (s.interrupted) throw new ConvkitError(`interrupted by ${s.interrupted}; rerun \`convkit batch run ${file}\` to continue`, { exitCode: s.interrupted === 'SIGINT' ? 130 : s.interrupted === 'SIGHUP' ? 129 : 143 });
      if (s.failed) throw new ConvkitError(`${s.failed} job(s) failed (their errors are in ${results})`, { exitCode: 1 });
      if (s.unfinished) throw new ConvkitError(`${s.unfinished} job(s) ended unfinished (stopped from outside); rerun \`convkit batch run ${file}\` to continue them`, { exitCode: 1 });
    });

  configCommand('status', 'done / running / failed / interrupted / pending, per job')
    .option('--watch [seconds]', 'redraw every few seconds until no job is running (Ctrl-C to leave)', positiveNumber)
    .option('--json', 'print JSON', false)
    .action(async (file: string, o) => {
      const c = await loadConfig(file, o);
      const jobs = (await plan()).planJobs(c);
      const { batchStatus } = await import('../batch/status.js');
      if (!o.watch) {
        const s = await batchStatus(c, jobs);
        return o.json ? printJson(s) : void process.stdout.write(statusText(s) + '\n');
      }
      const every = Math.max(0.5, o.watch === true ? 2 : o.watch) * 1000;
      for (;;) {
        const s = await batchStatus(c, jobs);
        if (o.json) process.stdout.write(JSON.stringify(s) + '\n');
        else process.stdout.write(`${process.stdout.isTTY ? '\x1b[2J\x1b[H' : ''}${new Date().toISOString()}\n${statusText(s)}\n`);
        if (s.counts.running === 0) return;
        await new Promise((r) => setTimeout(r, every));
      }
    });
}
