/**
 * An option declared once, as plain data: its config key, its command-line flag and help, how its value is read and
 * checked, and its default. The zod schema (util/schema.ts `schemaFromTable`) and commander's options
 * (cli/options.ts `addTableOptions`) are both built from such a table, so this module must load nothing heavy:
 * `convkit --help` reads it without zod.
 */
export type OptionValue =
  /** Free text (`nonEmpty`: at least one character). */
  | 'text'
  | 'nonEmptyText'
  | 'positiveInt'
  /** A count (integer ≥ 1) or a percentage `"N%"` with 0 < N ≤ 100 (see `countOrPercent`). */
  | 'countOrPercent'
  | 'nonNegativeInt'
  | 'positiveNumber'
  | 'nonNegativeNumber'
  /** A number in (0, 1). */
  | 'fraction'
  /** A number in [0, 1). */
  | 'unitInterval'
  /** One of `choices`. */
  | 'choice'
  /** `auto`, `test` or a fraction in (0, 1). */
  | 'validation'
  /** A switch: present = true. */
  | 'flag'
  /** A value whose schema is given by the table's owner (e.g. train's augment spec); text on the command line, or `parse`d. */
  | 'custom';

export interface TableOption {
  /** camelCase key of the config (and of config files, which may also write it in kebab-case). */
  key: string;
  /** Command-line flag when it is not `--` + the key in kebab-case. */
  flag?: string;
  /** Placeholder of the value in help (`<n>`); none for a flag. */
  arg?: string;
  help: string;
  value: OptionValue;
  choices?: readonly string[];
  /** The default (both for the command line and for config files); absent = optional. */
  default?: string | number | boolean | readonly (string | number)[];
  /** How help shows the default, when not as JSON (`24,48`). */
  defaultText?: string;
  /** `custom` values: the command line's parser of the text (its result is checked by the owner's schema). */
  parse?: (text: string) => unknown;
  /** Required in the resolved config (the command line checks it itself, with its own message, unless `mandatory`). */
  required?: boolean;
  /** Required on the command line too (commander refuses the command without it). */
  mandatory?: boolean;
}

/** `batchSize` → `--batch-size`, or the option's own flag. */
export function flagOf(o: TableOption): string {
  return o.flag ?? `--${o.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The name commander gives the option's value (`--tb-batches` → `tbBatches`). */
export function attributeOf(o: TableOption): string {
  return flagOf(o)
    .slice(2)
    .replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A percentage as `countOrPercent` options write it: `"25%"`, `"0.5%"`. */
export type Percent = `${number}%`;

/** What a `countOrPercent` option holds. */
export type CountOrPercent = number | Percent;

const PERCENT = /^(\d+(\.\d+)?|\.\d+)%$/;

/** The check of a `countOrPercent` value: the reason it is not one, or null. Shared by the CLI's parser and the zod schema. */
export function countOrPercentProblem(value: unknown): string | null {
  const what = 'expected a positive integer (a count) or a percentage such as "25%" (0 < N ≤ 100)';
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? null : `${what}, got ${value}`;
  if (typeof value !== 'string' || !PERCENT.test(value)) return `${what}, got ${JSON.stringify(value)}`;
  const n = Number(value.slice(0, -1));
  return n > 0 && n <= 100 ? null : `${what}, got "${value}"`;
}

/**
 * How many of `total` items a `countOrPercent` value keeps: a count as is (at most `total`), a percentage rounded to
 * the nearest item and at least 1 (`"100%"` = all).
 */
export function resolveCountOrPercent(value: CountOrPercent, total: number): number {
  if (typeof value === 'number') return Math.min(value, total);
  const n = Number(value.slice(0, -1));
  return n >= 100 ? total : Math.min(total, Math.max(1, Math.round((total * n) / 100)));
}
