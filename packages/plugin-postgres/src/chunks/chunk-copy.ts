import {
  COPY_HEADER_BYTES,
  COPY_TRAILER_BYTES,
  setInt64,
  setTimestampMs,
  writeCopyHeader,
  writeCopyTrailer,
} from '../db/binary.js';
import type { EncodedCopy } from '../db/types.js';
import type { ChunkSummary } from './aggregate.js';
import type { Exact } from './codec.js';

/**
 * Chunk rows as one binary COPY: the plain columns and the chunk's bytes go as they are, where an
 * INSERT … SELECT FROM unnest(…) sent fourteen text arrays (the bytes as hex) that this process
 * formatted and the server parsed again — a third of compaction's own time went there.
 */

/** One chunk row: its series, its plain columns and its bytes. */
export interface ChunkRow {
  id: number;
  sum: ChunkSummary;
  data: Uint8Array;
}

const COLUMNS = [
  'series_id',
  'start_ts',
  'first_ts',
  'last_ts',
  'count',
  'min',
  'max',
  'sum',
  'first',
  'last',
  'first_raw',
  'last_raw',
  'increase',
  'data',
];
/** A row without its bytes: field count, 14 lengths, int4 + 3 timestamptz + int4 + 5 float8 + 2 int8 + float8. */
const FIXED_BYTES = 2 + 14 * 4 + 4 + 3 * 8 + 4 + 5 * 8 + 2 * 8 + 8;

/** The COPY of `rows`, all of window (or day) `start`, into `table` (ours: the chunk table or a partition being built). */
export function chunkCopy(table: string, start: number, rows: readonly ChunkRow[]): EncodedCopy {
  let size = COPY_HEADER_BYTES + COPY_TRAILER_BYTES;
  for (const r of rows) size += FIXED_BYTES + r.data.byteLength;
  const buf = Buffer.allocUnsafe(size);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let o = writeCopyHeader(buf, 0);
  const int4 = (x: number) => {
    v.setInt32(o, 4);
    v.setInt32(o + 4, x);
    o += 8;
  };
  const time = (ms: number) => {
    v.setInt32(o, 8);
    setTimestampMs(v, o + 4, ms);
    o += 12;
  };
  const none = () => {
    v.setInt32(o, -1);
    o += 4;
  };
  const float8 = (x: number | null) => {
    if (x === null) return none();
    v.setInt32(o, 8);
    v.setFloat64(o + 4, x);
    o += 12;
  };
  const int8 = (x: Exact | null) => {
    if (x === null) return none();
    v.setInt32(o, 8);
    if (typeof x === 'number') setInt64(v, o + 4, x);
    else v.setBigInt64(o + 4, x);
    o += 12;
  };
  for (const { id, sum: s, data } of rows) {
    v.setInt16(o, COLUMNS.length);
    o += 2;
    int4(id);
    time(start);
    time(s.firstTs);
    time(s.lastTs);
    int4(s.count);
    float8(s.min);
    float8(s.max);
    float8(s.sum);
    float8(s.first);
    float8(s.last);
    int8(s.firstRaw);
    int8(s.lastRaw);
    float8(s.increase);
    v.setInt32(o, data.byteLength);
    buf.set(data, o + 4);
    o += 4 + data.byteLength;
  }
  o = writeCopyTrailer(buf, o);
  const bytes = o === buf.length ? buf : buf.subarray(0, o);
  return { table, columns: COLUMNS, payload: { rows: rows.length, pieces: () => [bytes] } };
}
