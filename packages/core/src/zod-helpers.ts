import { z } from 'zod';
import { parseDuration } from './duration.js';

/**
 * A zod schema for a duration option: milliseconds, or a string such as `10s` or `1h30m`; parses
 * to milliseconds. With `fallback`, the option is optional and defaults to it. Plugins use it so
 * that every duration in every config reads and fails the same way.
 */
export function durationMs(fallback?: number | string) {
  const base = z.union([z.number().nonnegative(), z.string()]).transform((v, ctx) => {
    try {
      return parseDuration(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
  return fallback === undefined
    ? base
    : z.union([z.number().nonnegative(), z.string()]).default(fallback).pipe(base);
}
