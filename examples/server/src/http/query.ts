import { parseDuration } from '@ispmonitor/core';
import { HttpError } from './errors.js';

/** Query-string schema of paginated lists. */
export const pageQuery = {
  page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
  pageSize: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
} as const;

/** The query of a paginated list (`pageQuery`). */
export interface PageParams {
  page?: number;
  pageSize?: number;
}

/** Turns page/pageSize into offset/limit. */
export function paging(q: PageParams): {
  offset: number;
  limit: number;
  page: number;
  pageSize: number;
} {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? 50;
  return { offset: (page - 1) * pageSize, limit: pageSize, page, pageSize };
}

/**
 * One page of a list read by offset/limit, answered with its page and page size: `read` gets the
 * offset and limit of `q`'s page.
 */
export async function pagedList<T extends object>(
  q: PageParams,
  read: (window: { offset: number; limit: number }) => Promise<T>,
): Promise<T & { page: number; pageSize: number }> {
  const { offset, limit, page, pageSize } = paging(q);
  return { ...(await read({ offset, limit })), page, pageSize };
}

/** Response schema of `{ error, message }`. */
export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

/** The largest time a Date holds (±100,000,000 days around 1970). */
const MAX_TIME = 8.64e15;

/**
 * A point in time from a query: `now`, `-1h` (relative), epoch milliseconds or an ISO date.
 * A time a Date cannot hold is a 400 here, not a RangeError (500) later when it is formatted.
 */
export function parseTime(value: string | undefined, fallback: number, now: number, name: string): number {
  const t = parseTimeValue(value, fallback, now, name);
  if (!Number.isFinite(t) || Math.abs(t) > MAX_TIME) {
    throw new HttpError(400, `${name}: "${value}" is out of the range of dates`);
  }
  return t;
}

function parseTimeValue(value: string | undefined, fallback: number, now: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  if (value === 'now') return now;
  if (/^\d{1,16}$/.test(value)) return Number(value);
  if (value.startsWith('-')) {
    try {
      return now - parseDuration(value.slice(1));
    } catch {
      throw new HttpError(400, `${name}: "${value}" is not a duration like -1h`);
    }
  }
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new HttpError(400, `${name}: "${value}" is not "now", -<duration>, epoch ms or an ISO date`);
  return t;
}

/** A duration from a query, with the query's name in the error. */
export function parseStep(value: string | undefined, fallback: number, name = 'step'): number {
  if (value === undefined || value === '') return fallback;
  try {
    const ms = /^\d+$/.test(value) ? Number(value) : parseDuration(value);
    if (ms <= 0) throw new Error('not positive');
    return ms;
  } catch {
    throw new HttpError(400, `${name}: "${value}" is not a positive duration like 60s`);
  }
}
