import type { Queryable } from '../db/types.js';
import type { ChunkSamples, Exact } from './codec.js';

/**
 * Moving a window's rows out of the row table for compaction: one statement deletes the rows of
 * a range of series and returns them packed, one row per series, each column as the binary send
 * format of its values concatenated (`bytea`). Against a SELECT of every row followed by a DELETE,
 * the server walks the rows once and formats no text, and this process parses one row per series
 * instead of one object (and one bigint) per sample — compaction's largest costs were those two.
 */

/** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01), where `timestamptz_send` counts from. */
const PG_EPOCH_US = 946_684_800_000_000;
const TWO_32 = 4_294_967_296;

interface Packed {
  series_id: number;
  n: number;
  /** Timestamps: int8 microseconds since 2000-01-01, big-endian, 8 bytes each. */
  t: Uint8Array;
  /** Values: float8, big-endian. */
  v: Uint8Array;
  /** The exact readings that are not null, int8 big-endian, in the samples' order. */
  r: Uint8Array | null;
  /** Per sample 1 when it has an exact reading, 0 when not; null when every sample has one or none does. */
  m: Uint8Array | null;
  nr: number;
}

/**
 * Where `takeRows` reads: `null` deletes the rows from the row table as it reads them (a day
 * partition from before the window partitions); a window partition's name reads them only (the
 * caller truncates the partition, under a lock that kept writers out, in the same transaction).
 */
export type TakeFrom = string | null;

/**
 * Takes the rows of series `after < id <= upto` (no upper bound when `upto` is undefined) in
 * [start, end) and returns their samples by series, in time order. Run it in a REPEATABLE READ
 * transaction when deleting: the rows returned are exactly the rows deleted, and a late row
 * written meanwhile stays for the next round.
 */
export async function takeRows(
  tx: Queryable,
  start: number,
  end: number,
  after: number,
  upto: number | undefined,
  from: TakeFrom = null,
): Promise<Map<number, ChunkSamples>> {
  // A window partition holds the window only: no time condition, so its rows are found through
  // the series range alone (the whole partition at once by a sequential scan, a range of series
  // by a bitmap scan of the primary key that visits each page once — `compact.ts` sets which).
  const window = from !== null;
  const series = `series_id > $${window ? 1 : 3} ${upto === undefined ? '' : `AND series_id <= $${window ? 2 : 4}`}`;
  const rows = window
    ? `SELECT series_id, ts, value, raw FROM ${from} WHERE ${series}`
    : `DELETE FROM ispm_samples WHERE ts >= $1::timestamptz AND ts < $2::timestamptz AND ${series} RETURNING series_id, ts, value, raw`;
  const range = [after, ...(upto === undefined ? [] : [upto])];
  const params = window ? range : [new Date(start).toISOString(), new Date(end).toISOString(), ...range];
  // Rows deleted as they are read are read once: with the mask. A window partition's rows stay
  // until the caller truncates it, so its mixed series (some readings exact, some not: rare) are
  // read again with their mask — a mask for every series cost the server a third more a row.
  const res = await tx.query<Packed>(packedSql(rows, !window), params);
  if (window) {
    const mixed = res.rows
      .filter((p) => Number(p.nr) > 0 && Number(p.nr) < Number(p.n))
      .map((p) => p.series_id);
    if (mixed.length > 0) {
      const again = await tx.query<Packed>(
        packedSql(`SELECT series_id, ts, value, raw FROM ${from} WHERE series_id = ANY($1::int[])`, true),
        [mixed],
      );
      const masked = new Map(again.rows.map((p) => [Number(p.series_id), p]));
      for (let i = 0; i < res.rows.length; i++) {
        const m = masked.get(Number(res.rows[i]?.series_id));
        if (m !== undefined) res.rows[i] = m;
      }
    }
  }
  const out = new Map<number, ChunkSamples>();
  const ids = res.rows.map((p) => Number(p.series_id)).sort((a, b) => a - b);
  const byId = new Map(res.rows.map((p) => [Number(p.series_id), p]));
  for (const id of ids) out.set(id, unpack(byId.get(id) as Packed));
  return out;
}

/**
 * Packs `rows` per series: the binary send format of each column's values concatenated, and with
 * `mask` which samples have an exact reading where some do and some do not (else `m` is null).
 */
function packedSql(rows: string, mask: boolean): string {
  const m = mask
    ? `CASE WHEN count(raw) > 0 AND count(raw) < count(*)
            THEN string_agg(CASE WHEN raw IS NULL THEN '\\x00'::bytea ELSE '\\x01'::bytea END, ''::bytea) END`
    : 'NULL::bytea';
  return `WITH d AS (${rows})
     SELECT series_id, count(*)::int AS n, count(raw)::int AS nr,
            string_agg(timestamptz_send(ts), ''::bytea) AS t,
            string_agg(float8send(value), ''::bytea) AS v,
            string_agg(int8send(raw), ''::bytea) AS r,
            ${m} AS m
       FROM d GROUP BY series_id`;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** An int8 at `o` in the form of `Exact`: a number when it is a safe integer, else a bigint. */
function int8(d: DataView, o: number): Exact {
  const hi = d.getInt32(o);
  if (hi >= -2_097_152 && hi < 2_097_152) {
    const x = hi * TWO_32 + d.getUint32(o + 4); // exact: |x| <= 2^53
    if (Number.isSafeInteger(x)) return x;
  }
  return d.getBigInt64(o);
}

function unpack(p: Packed): ChunkSamples {
  const n = Number(p.n);
  const nr = Number(p.nr);
  if (p.t.byteLength !== n * 8 || p.v.byteLength !== n * 8 || (p.r?.byteLength ?? 0) !== nr * 8)
    throw new RangeError('packed rows of unexpected length');
  const t = view(p.t);
  const v = view(p.v);
  const r = p.r ? view(p.r) : undefined;
  const s: ChunkSamples = { ts: new Array(n), values: new Array(n), raws: new Array(n) };
  let k = 0;
  for (let i = 0; i < n; i++) {
    // Whole microseconds since 2000 (exact below 2^53): the same double as `extract(epoch) * 1000`.
    s.ts[i] = (t.getInt32(i * 8) * TWO_32 + t.getUint32(i * 8 + 4) + PG_EPOCH_US) / 1000;
    s.values[i] = v.getFloat64(i * 8);
    const has = r !== undefined && (p.m === null ? nr === n : p.m[i] === 1);
    s.raws[i] = has ? int8(r, 8 * k++) : null;
  }
  if (k !== nr) throw new RangeError('packed rows: exact readings do not match their mask');
  return inOrder(s);
}

/** The samples sorted by time (the delete's scan order usually is already). */
function inOrder(s: ChunkSamples): ChunkSamples {
  let sorted = true;
  for (let i = 1; i < s.ts.length && sorted; i++) sorted = (s.ts[i - 1] as number) < (s.ts[i] as number);
  if (sorted) return s;
  const idx = s.ts.map((_, i) => i).sort((a, b) => (s.ts[a] as number) - (s.ts[b] as number));
  return {
    ts: idx.map((i) => s.ts[i] as number),
    values: idx.map((i) => s.values[i] as number),
    raws: idx.map((i) => s.raws[i] ?? null),
  };
}
