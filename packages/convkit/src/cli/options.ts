import { InvalidArgumentError, Option, type Command } from 'commander';
import { countOrPercentProblem, flagOf, type CountOrPercent, type OptionValue, type TableOption } from '../util/option-table.js';

/** commander parsers that reject bad numbers with a message naming the expectation. */
export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) <= 0) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return Number(value);
}

/** A count (`2000`) or a percentage (`25%`). */
export function countOrPercent(value: string): CountOrPercent {
  const v = value.trim();
  const parsed = /^\d+$/.test(v) ? Number(v) : v;
  const problem = countOrPercentProblem(parsed);
  if (problem) throw new InvalidArgumentError(problem.replace(/, got .*$/, `, got "${value}"`));
  return parsed as CountOrPercent;
}

export function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return Number(value);
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
}

/** `auto`, `test` or a fraction in (0, 1). */
export function validationOption(value: string): 'auto' | 'test' | number {
  if (value === 'test' || value === 'auto') return value;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n >= 1) throw new InvalidArgumentError(`expected "auto", "test" or a fraction between 0 and 1, got "${value}"`);
  return n;
}

export function choice(allowed: readonly string[]) {
  return (value: string): string => {
    if (!allowed.includes(value)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}, got "${value}"`);
    return value;
  };
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number >= 0, got "${value}"`);
  return n;
}

/** A number in (0, 1). */
export function fraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n >= 1) throw new InvalidArgumentError(`expected a number between 0 and 1, got "${value}"`);
  return n;
}

/** A number in [0, 1). */
export function unitInterval(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError(`expected a number in [0, 1), got "${value}"`);
  return n;
}

/** The command-line parser of each kind of option value (the same values as util/schema.ts's zod schemas accept). */
const PARSERS: Record<Exclude<OptionValue, 'choice' | 'flag'>, ((value: string) => unknown) | null> = {
  text: null,
  nonEmptyText: null,
  custom: null,
  positiveInt,
  countOrPercent,
  nonNegativeInt,
  positiveNumber,
  nonNegativeNumber,
  fraction,
  unitInterval,
  validation: validationOption,
};

/** commander's Option for an option of a table (util/option-table.ts): flag, help, parser and default from the table. */
export function tableOption(o: TableOption): Option {
  const opt = new Option(o.value === 'flag' ? flagOf(o) : `${flagOf(o)} <${o.arg ?? 'value'}>`, o.help);
  if (o.value === 'choice') opt.argParser(choice(o.choices ?? []));
  else if (o.value !== 'flag') {
    const parse = o.parse ?? PARSERS[o.value];
    if (parse) opt.argParser(parse);
  }
  if (o.default !== undefined) opt.default(o.default, o.defaultText);
  if (o.mandatory) opt.makeOptionMandatory();
  return opt;
}

/** Adds every option of a table to a command, in the table's order. */
export function addTableOptions(cmd: Command, table: readonly TableOption[]): Command {
  for (const o of table) cmd.addOption(tableOption(o));
  return cmd;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
