import type { z } from 'zod';
import { ConvkitError } from './errors.js';

/** Parses `value` with a zod schema; the first problem becomes a one-line ConvkitError naming the field. */
export function parseWith<S extends z.ZodTypeAny>(schema: S, value: unknown, where: string, fieldPrefix = ''): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.length ? `${fieldPrefix}${issue.path.join('.')}` : '';
  throw new ConvkitError(`${field ? `${field}: ` : ''}${issue.message}`, { file: where });
}
