/** Backfilled router status transitions, read back by `statusHistory` and `availability`. */
import type { Queryable } from '../db/types.js';
import type { HistoryImport } from '../subscribers/query-types.js';
import { badQuery } from '../subscribers/search-terms.js';

type StatusChange = NonNullable<HistoryImport['statusChanges']>[number];

const STATUSES = new Set(['unknown', 'online', 'unreachable', 'offline']);
const CHUNK = 10_000;

function check(c: StatusChange, i: number): void {
  const where = `statusChanges[${i}]`;
  if (
    typeof c?.router !== 'string' ||
    c.router.length === 0 ||
    c.router.length > 200 ||
    c.router.includes('\u0000')
  )
    throw badQuery(`${where}: router must be a string of 1..200 characters`);
  if (typeof c.ts !== 'number' || !Number.isFinite(c.ts)) throw badQuery(`${where}: ts is not a time`);
  if (!STATUSES.has(c.previous) || !STATUSES.has(c.status))
    throw badQuery(`${where}: statuses are unknown, online, unreachable or offline`);
  if (c.reason !== undefined && typeof c.reason !== 'string')
    throw badQuery(`${where}: reason must be a string`);
}

/**
 * Writes transitions into `ispm_device_status`, skipping any already there (same router, time and
 * status), so a backfill run twice records each once. Returns the rows written.
 */
export async function importStatusChanges(db: Queryable, list: readonly StatusChange[]): Promise<number> {
  list.forEach(check);
  let written = 0;
  for (let i = 0; i < list.length; i += CHUNK) {
    const c = list.slice(i, i + CHUNK);
    const res = await db.query(
      `INSERT INTO ispm_device_status (device, ts, previous, status, reason)
       SELECT DISTINCT ON (t.device, t.ts, t.status) t.device, t.ts, t.previous, t.status, t.reason
         FROM unnest($1::text[], $2::float8[], $3::text[], $4::text[], $5::text[]) AS u(device, ms, previous, status, reason)
         CROSS JOIN LATERAL (SELECT u.device, to_timestamp(u.ms / 1000) AS ts, u.previous, u.status, u.reason) t
        WHERE NOT EXISTS (SELECT 1 FROM ispm_device_status x
                           WHERE x.device = t.device AND x.ts = t.ts AND x.status = t.status)
        ORDER BY t.device, t.ts, t.status`,
      [
        c.map((x) => x.router),
        c.map((x) => x.ts),
        c.map((x) => x.previous),
        c.map((x) => x.status),
        c.map((x) => (x.reason === undefined ? null : x.reason.replaceAll('\u0000', '').slice(0, 500))),
      ],
    );
    written += res.rowCount;
  }
  return written;
}
