import type { Argument, Command, Option } from 'commander';

/** The command whose reference docs/cli.md holds, and how to regenerate it. */
export const CLI_DOC = 'docs/cli.md';
export const CLI_DOC_COMMAND = 'npm run docs:cli';

/** A cell of a Markdown table: one line, `|` escaped. */
function cell(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

function defaultOf(o: Option | Argument): string {
  if (o.defaultValueDescription !== undefined) return `\`${o.defaultValueDescription}\``;
  if (o.defaultValue === undefined) return '';
  if (o.defaultValue === false && 'isBoolean' in o && o.isBoolean()) return '';
  return `\`${JSON.stringify(o.defaultValue)}\``;
}

function optionRow(o: Option): string {
  const choices = o.argChoices ? ` (one of ${o.argChoices.join(', ')})` : '';
  return `| \`${cell(o.flags)}\` | ${cell(o.description + choices)} | ${defaultOf(o)} |`;
}

function fullName(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function* walk(cmd: Command): Generator<Command> {
  yield cmd;
  for (const sub of cmd.commands) if (!(sub as unknown as { _hidden?: boolean })._hidden) yield* walk(sub);
}

// Hand-written: commander prints help as text only; the Markdown walk over its commands and options is 40 lines.
/**
 * The command-line reference as Markdown, walked from commander's program: every command with its description,
 * usage, arguments and options (help text and default). Switches whose default is `false` show no default.
 */
export function cliReference(program: Command): string {
  const out = [
    '# Command-line reference',
    '',
    `<!-- Generated from the command definitions (src/cli/) by \`${CLI_DOC_COMMAND}\`; do not edit by hand. -->`,
    '',
    'Every command of `convkit`, its arguments and options, with their help text and defaults as `convkit COMMAND --help` prints them.',
    'The options of `convkit train` are also the keys of a config file\'s `train:` block and of a batch config\'s `train:` and `grid:` (as written here, or in camelCase).',
    '',
  ];
  for (const cmd of walk(program)) {
    const name = fullName(cmd);
    out.push(`## ${name}`, '');
    if (cmd.description()) out.push(cell(cmd.description()), '');
    out.push(`Usage: \`${name} ${cmd.usage()}\``, '');
    if (cmd.commands.length) {
      out.push('| command | description |', '| --- | --- |');
      for (const sub of cmd.commands) out.push(`| [\`${sub.name()}\`](#${fullName(sub).replace(/ /g, '-')}) | ${cell(sub.description())} |`);
      out.push('');
    }
    const args = cmd.registeredArguments;
    if (args.length) {
      out.push('| argument | description | default |', '| --- | --- | --- |');
      for (const a of args) out.push(`| \`${a.required ? '<' : '['}${a.name()}${a.variadic ? '...' : ''}${a.required ? '>' : ']'}\` | ${cell(a.description)} | ${defaultOf(a)} |`);
      out.push('');
    }
    const options = cmd.options.filter((o) => !o.hidden);
    if (options.length) {
      out.push('| option | description | default |', '| --- | --- | --- |');
      for (const o of options) out.push(optionRow(o));
      out.push('');
    }
  }
  return out.join('\n');
}
