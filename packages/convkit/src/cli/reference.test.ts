import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../test-support/paths.js';
import { TRAIN_OPTIONS } from '../train/options.js';
import { flagOf } from '../util/option-table.js';
import { buildProgram } from './main.js';
import { CLI_DOC, CLI_DOC_COMMAND, cliReference } from './reference.js';

/** The first line where two texts differ, for a readable failure. */
function firstDifference(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return `line ${i + 1}:\n  in ${CLI_DOC}: ${x[i] ?? '(end of file)'}\n  generated:  ${y[i] ?? '(end)'}`;
  return 'no difference';
}

test(`${CLI_DOC} is what the command definitions generate (else: ${CLI_DOC_COMMAND})`, () => {
  const written = readFileSync(path.join(repoRoot, CLI_DOC), 'utf8');
  const generated = cliReference(buildProgram());
  assert.ok(written === generated, `${CLI_DOC} is stale; regenerate it with \`${CLI_DOC_COMMAND}\` and commit it. First difference at ${firstDifference(written, generated)}`);
});

test('the reference lists every command and every train option with its help and default; a changed option changes it', () => {
  const program = buildProgram();
  const doc = cliReference(program);
  for (const c of ['convkit train', 'convkit prepare gtsrb', 'convkit batch run', 'convkit serve']) assert.ok(doc.includes(`\n## ${c}\n`), c);
  for (const o of TRAIN_OPTIONS) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${flagOf(o)}`));
    assert.ok(row, `${flagOf(o)} has a row`);
    if ('default' in o && o.default !== false) assert.ok(row.endsWith(`| \`${JSON.stringify(o.default)}\` |`), row);
  }
  program.commands.find((c) => c.name() === 'train')!.option('--new-thing <x>', 'a new option');
  assert.notEqual(cliReference(program), doc);
});
