#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { isConvkitError } from '../util/errors.js';
import { red } from '../util/term.js';
import { CONVKIT_VERSION } from '../version.js';
import { registerAuditCommands } from './audit.js';
import { registerAugmentCommands } from './augment.js';
import { registerBatchCommands } from './batch.js';
import { registerExportCommands } from './export.js';
import { registerAnalyseCommands, registerDownloadCommands } from './gtsrb.js';
import { registerInfoCommands } from './info.js';
import { registerPrepareCommands } from './prepare.js';
import { registerReportCommands } from './report.js';
import { registerServeCommands } from './serve.js';
import { registerTrainCommands } from './train.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('convkit')
    .description('Prepare image datasets, train, monitor and compare convolutional networks')
    .version(CONVKIT_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerTrainCommands(program);
  registerAugmentCommands(program);
  registerInfoCommands(program);
  registerPrepareCommands(program);
  registerAnalyseCommands(program);
  registerAuditCommands(program);
  registerDownloadCommands(program);
  registerReportCommands(program);
  registerExportCommands(program);
  registerServeCommands(program);
  registerBatchCommands(program);
  return program;
}

/** Runs the CLI; exit codes: 0 ok, 2 bad usage or bad input, 1 internal error. */
export async function main(argv = process.argv): Promise<number> {
  const program = buildProgram();
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version "errors" are successes; everything else was already printed by commander
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
    }
    if (isConvkitError(e)) {
      process.stderr.write(`${red('convkit: error:')} ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`${red('convkit: internal error:')} ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  main().then((code) => {
    process.exitCode = code;
  });
}
