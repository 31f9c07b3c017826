/**
 * PostgreSQL's binary COPY format for the few column types our bulk loads use. The server then
 * parses no text at all (no float or timestamp parsing), which is what lets the sink keep up with
 * a plain `psql \copy` of CSV.
 */

/** Column types we can encode; `timestamptz_ms` takes JS milliseconds since the epoch. */
export type BinaryType = 'int4' | 'int8' | 'float8' | 'timestamptz_ms';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Milliseconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC). */
const PG_EPOCH_MS = 946_684_800_000;
const SIZE: Record<BinaryType, number> = { int4: 4, int8: 8, float8: 8, timestamptz_ms: 8 };

/** Encodes rows (values in `types` order; null for NULL) as one binary COPY stream. */
export function encodeBinaryCopy(
  types: readonly BinaryType[],
  rows: ReadonlyArray<ReadonlyArray<string | number | bigint | null>>,
): Buffer {
  let size = SIGNATURE.length + 8 + 2;
  const rowSize = 2 + types.reduce((n, t) => n + 4 + SIZE[t], 0);
  size += rowSize * rows.length;
  const buf = Buffer.allocUnsafe(size);
  let o = SIGNATURE.copy(buf, 0);
  buf.writeInt32BE(0, o); // flags
  buf.writeInt32BE(0, o + 4); // header extension length
  o += 8;
  for (const row of rows) {
    buf.writeInt16BE(types.length, o);
    o += 2;
    for (let i = 0; i < types.length; i++) {
      const v = row[i];
      const t = types[i] as BinaryType;
      if (v === null || v === undefined) {
        buf.writeInt32BE(-1, o);
        o += 4;
        continue;
      }
      buf.writeInt32BE(SIZE[t], o);
      o += 4;
      switch (t) {
        case 'int4':
          buf.writeInt32BE(Number(v), o);
          break;
        case 'int8':
          buf.writeBigInt64BE(BigInt(v), o);
          break;
        case 'float8':
          buf.writeDoubleBE(Number(v), o);
          break;
        case 'timestamptz_ms':
          // Microseconds since 2000-01-01; sub-millisecond parts of the JS time are kept.
          buf.writeBigInt64BE(BigInt(Math.round((Number(v) - PG_EPOCH_MS) * 1000)), o);
          break;
      }
      o += SIZE[t];
    }
  }
  buf.writeInt16BE(-1, o);
  o += 2;
  return o === size ? buf : buf.subarray(0, o);
}
