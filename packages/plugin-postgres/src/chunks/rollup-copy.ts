import { setInt64, setTimestampMs } from '../db/binary.js';
import type { EncodedCopy } from '../db/types.js';
import { copyPiece } from '../ingest/copy-piece.js';
import type { RollupRow } from './aggregate.js';

/**
 * Rollup rows as one binary COPY into `table`, written straight from the rows: no array of
 * values per row on the way (materializing a day's rollups spent half its time collecting those).
 */

const COLUMNS = [
  'series_id',
  'bucket',
  'count',
  'min',
  'max',
  'sum',
  'last',
  'last_raw',
  'last_ts',
  'increase',
];
/** Field count, then per field its length and value (int4, timestamptz, int4, 4 × float8, int8, timestamptz, float8). */
const ROW_BYTES = 2 + 10 * 4 + 4 + 8 + 4 + 8 * 4 + 8 + 8 + 8;

/** A float8 field at `o`; returns the offset after it. */
function float8(v: DataView, o: number, x: number): number {
  v.setInt32(o, 8);
  v.setFloat64(o + 4, x);
  return o + 12;
}

/** The COPY of `rows` (series id, row) into `table` (one of our rollup tables). */
export function rollupCopy(
  table: 'ispm_rollup_5m' | 'ispm_rollup_1h',
  rows: ReadonlyArray<readonly [number, RollupRow]>,
): EncodedCopy {
  const bytes = copyPiece(rows.length, ROW_BYTES, true, true, (v, start) => {
    let o = start;
    const field = (len: number) => {
      v.setInt32(o, len);
      o += 4;
    };
    for (const [id, r] of rows) {
      v.setInt16(o, 10);
      o += 2;
      field(4);
      v.setInt32(o, id);
      o += 4;
      field(8);
      setTimestampMs(v, o, r.bucket);
      o += 8;
      field(4);
      v.setInt32(o, r.count);
      o += 4;
      o = float8(v, float8(v, float8(v, float8(v, o, r.min), r.max), r.sum), r.last);
      if (r.lastRaw === null) field(-1);
      else {
        field(8);
        if (typeof r.lastRaw === 'number') setInt64(v, o, r.lastRaw);
        else v.setBigInt64(o, r.lastRaw);
        o += 8;
      }
      field(8);
      setTimestampMs(v, o, r.lastTs);
      o += 8;
      if (r.increase === null) field(-1);
      else {
        field(8);
        v.setFloat64(o, r.increase);
        o += 8;
      }
    }
    return o;
  });
  return { table, columns: COLUMNS, payload: { rows: rows.length, pieces: () => [bytes] } };
}
