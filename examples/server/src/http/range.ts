import { HttpError } from './errors.js';
import { parseStep, parseTime } from './query.js';

/** The query of a route that reads a range: `from` and `to`, and `step` where it averages per step. */
export interface RangeQueryString {
  from?: string;
  to?: string;
  step?: string;
}

/**
 * The query-string properties `from` and `to` of a route that reads a range, with the default of
 * `from` in its description. Spread into the route's own `properties`.
 */
export function rangeProperties(fromDefault: string) {
  return {
    from: {
      type: 'string',
      maxLength: 40,
      description: `now, -<duration>, epoch ms or ISO date; default ${fromDefault}`,
    },
    to: { type: 'string', maxLength: 40, description: 'default now' },
  } as const;
}

/** `rangeProperties` and `step`, for a route that answers one point per step. */
export function stepRangeProperties(fromDefault: string, stepDefault: string) {
  return {
    ...rangeProperties(fromDefault),
    step: { type: 'string', maxLength: 20, description: `duration between points; default ${stepDefault}` },
  } as const;
}

/** A range read from a query: epoch milliseconds, `from` before `to`. */
export interface Range {
  from: number;
  to: number;
}

/**
 * `from` and `to` of a query (`to` defaults to now, `from` to `span` ms before `to`); a 400
 * unless `from` is before `to`.
 */
export function parseRange(q: RangeQueryString, span: number, now = Date.now()): Range {
  const { from, to } = checked(q, span, now);
  return { from, to };
}

/**
 * `from`, `to` and `step` of a query, as `parseRange` with a default step; a 400 where the range
 * holds more than `maxSteps` steps (each one a point of every series answered).
 */
export function parseStepRange(
  q: RangeQueryString,
  defaults: { span: number; step: number; maxSteps: number },
  now = Date.now(),
): Range & { step: number } {
  const range = checked(q, defaults.span, now, defaults.step);
  if ((range.to - range.from) / range.step > defaults.maxSteps) {
    throw new HttpError(400, `the range holds more than ${defaults.maxSteps} steps: use a larger step`);
  }
  return range;
}

/** Every value parsed (each one's own 400 first), then the order of `from` and `to` checked. */
function checked(q: RangeQueryString, span: number, now: number, stepDefault = 0): Range & { step: number } {
  const to = parseTime(q.to, now, now, 'to');
  const from = parseTime(q.from, to - span, now, 'from');
  const step = stepDefault > 0 ? parseStep(q.step, stepDefault) : 0;
  if (!(from < to)) throw new HttpError(400, 'from must be before to');
  return { from, to, step };
}
