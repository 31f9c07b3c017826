/**
 * Secrets by schema: a plugin marks the credential fields of its settings schema with `secret()`,
 * and the values found there join the log redactor, whatever the field is called. Key-name
 * guessing (`secretValues` in logger.ts) stays as a backstop for schemas that mark nothing.
 */
import { type ZodType, z } from 'zod';

/** Schemas marked as secrets. */
const secrets = z.registry<{ secret: true }>();

/**
 * Marks a schema's values as secrets (`community: secret(z.string().min(1)).optional()`): they
 * are redacted from logs and error messages wherever they appear. Returns the same schema.
 */
export function secret<T extends ZodType>(schema: T): T {
  secrets.add(schema, { secret: true });
  return schema;
}

/** Whether a schema was marked with `secret()`. */
export function isSecret(schema: ZodType): boolean {
  return secrets.has(schema);
}

// biome-ignore lint/suspicious/noExplicitAny: zod's definitions differ per schema type
type Def = Record<string, any> & { type: string };
const defOf = (schema: unknown): Def | undefined =>
  (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;

/**
 * Every string in `value` that `schema` marks as a secret, following objects, arrays, records,
 * unions and wrappers (optional, default, pipe…). Never throws; stops at depth 16.
 */
export function schemaSecretValues(schema: ZodType, value: unknown, out: string[] = [], depth = 0): string[] {
  const def = defOf(schema);
  if (!def || depth > 16 || value === undefined || value === null) return out;
  if (secrets.has(schema)) {
    if (typeof value === 'string') out.push(value);
    else collectStrings(value, out, 0);
    return out;
  }
  const next = (s: unknown, v: unknown) => schemaSecretValues(s as ZodType, v, out, depth + 1);
  switch (def.type) {
    case 'object':
      if (typeof value === 'object' && !Array.isArray(value)) {
        for (const [key, field] of Object.entries(def.shape as Record<string, unknown>)) {
          next(field, (value as Record<string, unknown>)[key]);
        }
      }
      break;
    case 'array':
      if (Array.isArray(value)) for (const item of value) next(def.element, item);
      break;
    case 'record':
      if (typeof value === 'object') for (const v of Object.values(value as object)) next(def.valueType, v);
      break;
    case 'union':
      for (const option of def.options as unknown[]) next(option, value);
      break;
    case 'intersection':
      next(def.left, value);
      next(def.right, value);
      break;
    case 'pipe':
      next(def.in, value);
      next(def.out, value);
      break;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      next(def.innerType, value);
      break;
    default:
      break;
  }
  return out;
}

/** A marked object or array: every string inside it is secret. */
function collectStrings(value: unknown, out: string[], depth: number): void {
  if (depth > 8) return;
  if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object') {
    for (const v of Object.values(value as object)) collectStrings(v, out, depth + 1);
  }
}
