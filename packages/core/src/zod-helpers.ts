import { z } from 'zod';
import { parseDuration } from './duration.js';

const input = () => z.union([z.number().nonnegative(), z.string()]);

function toMs(v: number | string, ctx: z.core.$RefinementCtx): number {
  try {
    return parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
}

/**
 * A zod schema for a duration option: milliseconds, or a string such as `10s` or `1h30m`; parses
 * to milliseconds. With `fallback`, the option is optional and defaults to it (the default shows
 * as written, e.g. `"10s"`, in generated docs). Plugins use it so that every duration in every
 * config reads and fails the same way.
 */
export function durationMs() {
  return input().transform(toMs);
}

/** `durationMs` with a default. */
export function durationMsOr(fallback: number | string) {
  return input().default(fallback).transform(toMs);
}
