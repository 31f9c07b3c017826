import type { Db } from '../db/types.js';
import {
  type NewSeries,
  SERIES_COPY_COLUMNS,
  SERIES_ID_SEQUENCE,
  type SeriesIds,
  seriesPayload,
} from './series-copy.js';

/** One series as the statements below take it: name, canonical label JSON and kind. */
export type SeriesRow = NewSeries;

/** The fewest series worth a statement of their own when a batch is split between connections. */
const LANE_MIN = 1000;

/**
 * The insert that skips series that exist, used only after a race: each row takes a new id from
 * the sequence (`nextval` is volatile, so the CTE is computed once and the insert and the answer
 * see the same ids); `created` holds the ids of the rows it inserted, so an id in `ids` but not
 * in `created` was not used (that series had another id already).
 */
const SKIPPING = `WITH t AS (
  SELECT nextval('${SERIES_ID_SEQUENCE}')::integer AS id, n, l, k, ord
    FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(n, l, k, ord)),
  ins AS (INSERT INTO ispm_series (id, name, labels, kind) OVERRIDING SYSTEM VALUE
          SELECT id, n, l::jsonb, k FROM t ON CONFLICT (name, labels) DO NOTHING RETURNING id)
  SELECT (SELECT array_agg(id ORDER BY ord) FROM t) AS ids, (SELECT array_agg(id) FROM ins) AS created`;

/** Errors after which the skipping insert is tried: 23505 a series exists, 40P01 a deadlock with another writer. */
const RACED = new Set(['23505', '40P01']);

type Ids = ReadonlyArray<number | string> | null;

function params(list: readonly SeriesRow[]): unknown[] {
  return [list.map((s) => s.name), list.map((s) => s.labels), list.map((s) => s.kind)];
}

/** How often the skipping insert is tried again after a deadlock before the error is passed on. */
const DEADLOCK_TRIES = 3;

const isDeadlock = (err: unknown) => (err as { code?: string }).code === '40P01';

/**
 * Inserts one share of the series with the ids reserved for them; undefined where a series
 * existed already. The fast path is a binary COPY (the plain-INSERT floor's server cost, where
 * an INSERT … SELECT from arrays cost ~25 % more and `ON CONFLICT` ~40 % more); it fails as a
 * whole when one series exists (23505), which only a race with another writer causes.
 */
async function createShare(
  db: Db,
  list: readonly SeriesRow[],
  ids: readonly number[],
): Promise<Array<number | undefined>> {
  try {
    await db.copy({ table: 'ispm_series', columns: SERIES_COPY_COLUMNS, payload: seriesPayload(list, ids) });
    return [...ids];
  } catch (err) {
    if (!RACED.has((err as { code?: string }).code ?? '')) throw err;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await db.query<{ ids: Ids; created: Ids }>(SKIPPING, params(list));
      const created = new Set((res.rows[0]?.created ?? []).map(Number));
      return (res.rows[0]?.ids ?? []).map((id) => (created.has(Number(id)) ? Number(id) : undefined));
    } catch (err) {
      if (!isDeadlock(err) || attempt >= DEADLOCK_TRIES) throw err;
    }
  }
}

/** One order for every writer: by name, then by the canonical label text. */
function bySeries(a: SeriesRow, b: SeriesRow): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.labels < b.labels ? -1 : a.labels > b.labels ? 1 : 0;
}

/**
 * Creates these series; returns their new ids in order (undefined where a series existed already,
 * e.g. another replica created it meanwhile: the caller looks those up). Their ids are taken
 * from `reserve` first, so the rows go out by COPY and nothing comes back. On PostgreSQL a batch
 * is split into up to `lanes` COPY streams in flight on separate connections, so the server
 * inserts on several cores (one statement uses one); the shares hold different series, so they
 * never wait on each other. A race with another writer can make a share fail on a series or
 * deadlock: that share is then inserted again with `ON CONFLICT DO NOTHING` (new ids from the
 * sequence; its reserved ones stay unused).
 */
export async function createSeries(
  db: Db,
  list: readonly SeriesRow[],
  lanes: number,
  reserve: SeriesIds,
): Promise<Array<number | undefined>> {
  // Every writer inserts in one order (and splits it into consecutive ranges), so a statement
  // waiting for another's series holds only series before it: no cycle of waits, no deadlock,
  // between replicas or between this batch's own lanes.
  const order = list.map((_, i) => i).sort((a, b) => bySeries(list[a] as SeriesRow, list[b] as SeriesRow));
  const sorted = order.map((i) => list[i] as SeriesRow);
  const reserved = await reserve.take(sorted.length);
  const n = Math.max(1, Math.min(lanes, Math.floor(sorted.length / LANE_MIN)));
  let ids: Array<number | undefined>;
  if (n === 1) ids = await createShare(db, sorted, reserved);
  else {
    const size = Math.ceil(sorted.length / n);
    const shares: Array<Promise<Array<number | undefined>>> = [];
    for (let i = 0; i < sorted.length; i += size)
      shares.push(createShare(db, sorted.slice(i, i + size), reserved.slice(i, i + size)));
    ids = (await Promise.all(shares)).flat();
  }
  const out = new Array<number | undefined>(list.length);
  for (let j = 0; j < order.length; j++) out[order[j] as number] = ids[j];
  return out;
}

/** Ids from rows numbered by `WITH ORDINALITY` (1-based), in input order; undefined where none. */
function inOrder(
  rows: ReadonlyArray<{ ord: string | number; id: number }>,
  n: number,
): Array<number | undefined> {
  const ids = new Array<number | undefined>(n).fill(undefined);
  for (const row of rows) ids[Number(row.ord) - 1] = Number(row.id);
  return ids;
}

/**
 * The ids of a batch of series, one probe of the unique (name, labels) index per series. A plain
 * join let the planner hash the whole series table for every batch (it did at 240,000 series:
 * 0.7 s a batch of 5,000, growing with the fleet); a lateral subquery with a LIMIT is not pulled
 * up into a join, so it can only be a nested loop of index probes (the LIMIT changes nothing
 * else: the index is unique), and a batch costs the same whatever the table holds.
 */
export const LOOKUP_SQL = `SELECT t.ord, s.id FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(n, l, ord)
  CROSS JOIN LATERAL (SELECT id FROM ispm_series WHERE name = t.n AND labels = t.l::jsonb LIMIT 1) s`;

/** The ids of these series, in their order (undefined where a series does not exist). */
export async function lookupSeries(db: Db, list: readonly SeriesRow[]): Promise<Array<number | undefined>> {
  const res = await db.query<{ ord: string | number; id: number }>(LOOKUP_SQL, [
    list.map((s) => s.name),
    list.map((s) => s.labels),
  ]);
  return inOrder(res.rows, list.length);
}
