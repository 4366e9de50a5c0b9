import { z } from 'zod';
import { ConvkitError } from './errors.js';
import { countOrPercentProblem, type CountOrPercent, type TableOption } from './option-table.js';

/** Parses `value` with a zod schema; the first problem becomes a one-line ConvkitError naming the field. */
export function parseWith<S extends z.ZodTypeAny>(schema: S, value: unknown, where: string, fieldPrefix = ''): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.length ? `${fieldPrefix}${issue.path.join('.')}` : '';
  throw new ConvkitError(`${field ? `${field}: ` : ''}${issue.message}`, { file: where });
}

type ValueSchema<O extends TableOption, C extends z.ZodType> = O['value'] extends 'choice'
  ? z.ZodEnum<{ [K in NonNullable<O['choices']>[number]]: K }>
  : O['value'] extends 'flag'
    ? z.ZodBoolean
    : O['value'] extends 'text' | 'nonEmptyText'
      ? z.ZodString
      : O['value'] extends 'validation'
        ? z.ZodType<'auto' | 'test' | number>
        : O['value'] extends 'custom'
          ? C
          : O['value'] extends 'countOrPercent'
            ? z.ZodType<CountOrPercent>
            : z.ZodNumber;
type FieldSchema<O extends TableOption, C extends z.ZodType> = O extends { default: unknown } ? z.ZodDefault<ValueSchema<O, C>> : O extends { required: true } ? ValueSchema<O, C> : z.ZodOptional<ValueSchema<O, C>>;
/** The zod shape a table of options makes (custom: the schemas of its `custom` values, by key). */
export type TableShape<T extends readonly TableOption[], Custom extends Record<string, z.ZodType>> = {
  [O in T[number] as O['key']]: FieldSchema<O, O['key'] extends keyof Custom ? Custom[O['key']] : never>;
};

/** The zod schema of one kind of option value; the command line's parsers (cli/options.ts) accept the same values. */
function valueSchema(o: TableOption, custom: Record<string, z.ZodType>): z.ZodType {
  switch (o.value) {
    case 'text':
      return z.string();
    case 'nonEmptyText':
      return z.string().min(1);
    case 'positiveInt':
      return z.number().int().positive();
    case 'countOrPercent':
      return z.custom<CountOrPercent>((v) => countOrPercentProblem(v) === null, { error: (issue) => countOrPercentProblem(issue.input) ?? 'invalid' });
    case 'nonNegativeInt':
      return z.number().int().nonnegative();
    case 'positiveNumber':
      return z.number().positive().finite();
    case 'nonNegativeNumber':
      return z.number().nonnegative();
    case 'fraction':
      return z.number().gt(0).lt(1);
    case 'unitInterval':
      return z.number().min(0).lt(1);
    case 'choice':
      return z.enum(o.choices as [string, ...string[]]);
    case 'validation':
      return z.union([z.literal('auto'), z.literal('test'), z.number().gt(0).lt(1)]);
    case 'flag':
      return z.boolean();
    case 'custom':
      if (!custom[o.key]) throw new Error(`option ${o.key}: no schema given for its custom value`);
      return custom[o.key];
  }
}

/** A table of options (util/option-table.ts) → its zod object: each value's schema, its default, optional unless required. */
export function schemaFromTable<const T extends readonly TableOption[], C extends Record<string, z.ZodType> = Record<never, z.ZodType>>(table: T, custom?: C): z.ZodObject<TableShape<T, C>> {
  const shape: Record<string, z.ZodType> = {};
  for (const o of table) {
    const s = valueSchema(o, custom ?? {});
    shape[o.key] = o.default !== undefined ? s.default(o.default as never) : o.required ? s : s.optional();
  }
  return z.object(shape) as unknown as z.ZodObject<TableShape<T, C>>;
}
