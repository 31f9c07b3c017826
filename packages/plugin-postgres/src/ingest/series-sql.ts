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

/**
 * Series per COPY statement when a batch creates many on PostgreSQL: a batch goes out as a few
 * statements one after the other on one connection, so that this process prepares the next
 * share and caches the last one's ids while the server stores one (see `createSeries`).
 */
export const CREATE_CHUNK = 1250;

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
  sent?: () => void,
): Promise<ReadonlyArray<number | undefined>> {
  try {
    const payload = seriesPayload(list, ids, sent);
    await db.copy({ table: 'ispm_series', columns: SERIES_COPY_COLUMNS, payload });
    return ids;
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
 * Resolves once the event loop has gone round: rows handed to a stream reach the socket on
 * ticks queued behind the caller's own continuation, so work done straight after a hand-over
 * would hold them back.
 */
export const afterIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Positions [from, to) of `list`, in the one order every writer inserts in. */
function sortedRange(list: readonly SeriesRow[], from: number, to: number): number[] {
  const at = new Array<number>(to - from);
  for (let i = from; i < to; i++) at[i - from] = i;
  return at.sort((a, b) => bySeries(list[a] as SeriesRow, list[b] as SeriesRow));
}

/** Series of `list` stored with these ids (undefined: it existed already), by position. */
export type CreatedShare = (at: readonly number[], ids: ReadonlyArray<number | undefined>) => void;

/**
 * Creates these series; returns their new ids in order (undefined where a series existed already,
 * e.g. another replica created it meanwhile: the caller looks those up). Their ids are taken
 * from `reserve` first, so the rows go out by COPY and nothing comes back. A large batch goes
 * out in shares of about `chunk` series, one statement after the other on one connection: while
 * the server stores a share, this process sorts the next and hands the last one stored to
 * `created` (the caller caches its ids then, not all at the end). One statement at a time: two
 * at once into the series table cost the server ~20-30 % more CPU a series (they contend on its
 * indexes' pages), more than the second core gave back on a machine this process shares. Each
 * statement inserts its series in one order (by name, then labels) that every writer follows, so
 * a statement waiting for another writer's series holds only series before it: no cycle of
 * waits, no deadlock. A race with another writer can still make a share fail on a series (or,
 * with a writer of another version, deadlock): that share is then inserted again with
 * `ON CONFLICT DO NOTHING` (new ids from the sequence; its reserved ones stay unused).
 * `handedOver` is called once the first share's rows are all handed to the connection.
 */
export async function createSeries(
  db: Db,
  list: readonly SeriesRow[],
  reserve: SeriesIds,
  created?: CreatedShare,
  chunk = CREATE_CHUNK,
  handedOver?: () => void,
): Promise<Array<number | undefined>> {
  const out = new Array<number | undefined>(list.length);
  if (list.length === 0) return out;
  const shares = Math.max(1, Math.round(list.length / Math.max(1, chunk)));
  const size = Math.ceil(list.length / shares);
  // The ids are asked for while the first share is sorted.
  const reserving = reserve.take(list.length);
  let at: number[] | undefined = sortedRange(list, 0, Math.min(list.length, size));
  const reserved = await reserving;
  let stored: { at: number[]; ids: ReadonlyArray<number | undefined> } | undefined;
  for (let from = 0; at !== undefined; from += size) {
    const rows = new Array<SeriesRow>(at.length);
    for (let j = 0; j < at.length; j++) rows[j] = list[at[j] as number] as SeriesRow;
    let sent!: () => void;
    const handed = new Promise<void>((resolve) => {
      sent = resolve;
    });
    const storing = createShare(db, rows, reserved.slice(from, from + at.length), sent);
    // While the server stores this share — once its rows are all handed to the connection, so
    // that nothing here holds them back — the last one's ids go to the caller, the next is sorted.
    await Promise.race([handed, storing]);
    await afterIo();
    if (stored) created?.(stored.at, stored.ids);
    else handedOver?.();
    const next =
      from + size < list.length
        ? sortedRange(list, from + size, Math.min(list.length, from + 2 * size))
        : undefined;
    const ids = await storing;
    for (let j = 0; j < at.length; j++) out[at[j] as number] = ids[j];
    stored = { at, ids };
    at = next;
  }
  if (stored) created?.(stored.at, stored.ids);
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
