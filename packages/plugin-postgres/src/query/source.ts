/** Where a range query reads from. */
export type Source = 'raw' | '5m' | '1h';

/** How long each level keeps data, in ms. */
export interface Retention {
  raw: number;
  rollup5m: number;
  rollup1h: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Bucket width of each rollup level. */
export const ROLLUP_STEP: Record<Exclude<Source, 'raw'>, number> = { '5m': 5 * MIN, '1h': HOUR };

/**
 * Picks the table a range query should read: the raw samples for short ranges and fine steps,
 * the 5-minute rollup from 6 h or when the raw samples have expired, the hourly rollup from
 * 7 days (with steps of an hour or more) or when the 5-minute rollup has expired. A rollup is
 * never chosen when its buckets are wider than the step, unless it is the only data left.
 */
export function chooseSource(
  q: { from: number; to: number; step: number; fn: string },
  now: number,
  r: Retention,
): Source {
  if (q.fn === 'raw') return 'raw';
  const span = q.to - q.from;
  const age = now - q.from;
  if (age > r.rollup5m) return '1h';
  if (q.step >= HOUR && span > 7 * DAY) return '1h';
  if (age > r.raw) return '5m';
  if (q.step >= 5 * MIN && span > 6 * HOUR) return '5m';
  return 'raw';
}
