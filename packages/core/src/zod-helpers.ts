import { z } from 'zod';
import { parseDuration } from './duration.js';

/** A duration in the input: milliseconds, or a string such as `10s` or `1h30m`; parsed to milliseconds. */
function durationSchema() {
  return z.union([z.number().nonnegative(), z.string()]).transform((v, ctx) => {
    try {
      return parseDuration(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
}

/**
 * A zod schema for a duration option: milliseconds, or a string such as `10s` or `1h30m`; parses
 * to milliseconds. With `fallback`, the option is optional and defaults to it. Plugins use it so
 * that every duration in every config reads and fails the same way.
 */
export function durationMs(): ReturnType<typeof durationSchema>;
export function durationMs(fallback: number | string): z.ZodDefault<ReturnType<typeof durationSchema>>;
export function durationMs(fallback?: number | string) {
  // A default on the parsed value keeps the option optional in the input type.
  return fallback === undefined ? durationSchema() : durationSchema().default(parseDuration(fallback));
}
