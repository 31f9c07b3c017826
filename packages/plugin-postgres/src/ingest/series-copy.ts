import { COPY_HEADER_BYTES, COPY_TRAILER_BYTES, writeCopyHeader, writeCopyTrailer } from '../db/binary.js';
import type { BinaryPayload, Db } from '../db/types.js';

/** One series to create: name, canonical label JSON and kind. */
export interface NewSeries {
  name: string;
  labels: string;
  kind: 'counter' | 'gauge';
}

/** The columns the COPY fills, ids included (COPY writes given identity values as they are). */
export const SERIES_COPY_COLUMNS = ['id', 'name', 'labels', 'kind'] as const;

/** Rows per piece of the stream (~60 KiB at the fleet's label sizes). */
const PIECE_ROWS = 700;

/** jsonb's binary input format: a version byte (1), then the JSON text. */
const JSONB_VERSION = 1;

/** Field count, then (length, bytes) of id, name, labels (plus its version byte), kind. */
const ROW_FIXED = 2 + (4 + 4) + 4 + (4 + 1) + 4;

/**
 * Most bytes a row can take: a UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair,
 * two units, is 4), so 3 × length bounds every string.
 */
function rowBound(s: NewSeries): number {
  return ROW_FIXED + 3 * (s.name.length + s.labels.length + s.kind.length);
}

/** Writes `text` as a length-prefixed field at `o`; returns the offset after it. */
function textField(buf: Buffer, o: number, text: string, prefix?: number): number {
  let at = o + 4;
  if (prefix !== undefined) at = buf.writeUInt8(prefix, at);
  const end = at + buf.write(text, at, 'utf8');
  buf.writeInt32BE(end - o - 4, o);
  return end;
}

/** Writes rows [from, to) at `o` (id, name, labels behind jsonb's version byte, kind); returns the offset after them. */
function writeRows(
  buf: Buffer,
  o: number,
  list: readonly NewSeries[],
  ids: readonly number[],
  from: number,
  to: number,
): number {
  for (let i = from; i < to; i++) {
    const s = list[i] as NewSeries;
    o = buf.writeInt16BE(4, o);
    o = buf.writeInt32BE(4, o);
    o = buf.writeInt32BE(ids[i] as number, o);
    o = textField(buf, o, s.name);
    o = textField(buf, o, s.labels, JSONB_VERSION);
    o = textField(buf, o, s.kind);
  }
  return o;
}

function* pieces(list: readonly NewSeries[], ids: readonly number[]): Generator<Buffer> {
  for (let from = 0; from === 0 || from < list.length; from += PIECE_ROWS) {
    const to = Math.min(list.length, from + PIECE_ROWS);
    const first = from === 0;
    const last = to === list.length;
    let bytes = (first ? COPY_HEADER_BYTES : 0) + (last ? COPY_TRAILER_BYTES : 0);
    for (let i = from; i < to; i++) bytes += rowBound(list[i] as NewSeries);
    const buf = Buffer.allocUnsafe(bytes);
    let o = writeRows(buf, first ? writeCopyHeader(buf, 0) : 0, list, ids, from, to);
    if (last) o = writeCopyTrailer(buf, o);
    yield o === buf.length ? buf : buf.subarray(0, o);
    if (last) return;
  }
}

/**
 * The whole stream in a block of its own, of its exact size (UTF-8 lengths counted first, which
 * costs less than writing into a bound three times too large and copying what was written).
 */
function whole(list: readonly NewSeries[], ids: readonly number[]): Buffer {
  let bytes = COPY_HEADER_BYTES + COPY_TRAILER_BYTES + ROW_FIXED * list.length;
  for (const s of list) bytes += Buffer.byteLength(s.name) + Buffer.byteLength(s.labels) + s.kind.length;
  const buf = Buffer.from(new ArrayBuffer(bytes));
  writeCopyTrailer(buf, writeRows(buf, writeCopyHeader(buf, 0), list, ids, 0, list.length));
  return buf;
}

/**
 * New series rows with the ids given (same order) as one binary COPY stream into `ispm_series`:
 * no array literal to build and escape here, none to parse on the server, and the server stores
 * a piece while the next is encoded. Labels still travel as JSON text (jsonb's binary input is
 * that text behind a version byte).
 */
export function seriesPayload(list: readonly NewSeries[], ids: readonly number[]): BinaryPayload {
  return { rows: list.length, pieces: () => pieces(list, ids), whole: () => whole(list, ids) };
}

/**
 * The identity sequence behind `ispm_series.id` (the name PostgreSQL gives it: table_column_seq).
 */
export const SERIES_ID_SEQUENCE = 'ispm_series_id_seq';

/** Ids taken per statement beyond what is asked, so that a few new series a batch cost no round trip. */
const RESERVE_AHEAD = 2000;

/**
 * Takes ids from the sequence; they come back as a range (`lo` to `hi`) when they follow each
 * other, as they do unless another writer takes ids at the same moment, else as an array: the
 * ~7,000 ids of a first start's batch, parsed from an array's text, cost this process ~2.5 ms.
 */
const RESERVE_SQL = `WITH t AS (SELECT nextval('${SERIES_ID_SEQUENCE}')::integer AS id FROM generate_series(1, $1::integer))
  SELECT min(id) AS lo, max(id) AS hi,
         CASE WHEN max(id) - min(id) + 1 <> count(*) THEN array_agg(id) END AS ids FROM t`;

type Reserved = {
  lo: number | string | null;
  hi: number | string | null;
  ids: ReadonlyArray<number | string> | null;
};

/**
 * Ids for new series, taken from the table's own sequence ahead of the rows that use them, so the
 * rows can be loaded by COPY with their ids and nothing needs to come back from the insert. Ids
 * reserved and never used are gaps in the sequence (at most `RESERVE_AHEAD` a stop, or a
 * batch's worth after a race), which an identity column has anyway; ids are only unique, never
 * read as an order of creation.
 */
export class SeriesIds {
  #pool: number[] = [];
  #at = 0;

  constructor(private readonly db: Db) {}

  /** `n` ids no one else holds. Safe to call concurrently: ids are handed out synchronously. */
  async take(n: number): Promise<number[]> {
    while (this.#pool.length - this.#at < n) {
      const want = n - (this.#pool.length - this.#at) + RESERVE_AHEAD;
      const res = await this.db.query<Reserved>(RESERVE_SQL, [want]);
      const row = res.rows[0];
      const kept = this.#pool.slice(this.#at);
      if (row?.ids) for (const id of row.ids) kept.push(Number(id));
      else if (row && row.lo !== null && row.hi !== null)
        for (let id = Number(row.lo), hi = Number(row.hi); id <= hi; id++) kept.push(id);
      if (kept.length === this.#pool.length - this.#at)
        throw new Error('the series id sequence returned no ids');
      this.#pool = kept;
      this.#at = 0;
    }
    const out = this.#pool.slice(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }

  /** Drops the reserved ids (after a restore the sequence may have been set back). */
  forget(): void {
    this.#pool = [];
    this.#at = 0;
  }
}
