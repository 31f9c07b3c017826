/**
 * PostgreSQL's binary COPY format for the few column types our bulk loads use. The server then
 * parses no text at all (no float or timestamp parsing), which is what lets the sink keep up with
 * a plain `psql \copy` of CSV.
 */

/** Column types we can encode; `timestamptz_ms` takes JS milliseconds since the epoch. */
export type BinaryType = 'int4' | 'int8' | 'float8' | 'timestamptz_ms';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Bytes of the stream header: signature, flags, header extension length. */
export const COPY_HEADER_BYTES = SIGNATURE.length + 8;
/** Bytes of the stream trailer (a field count of -1). */
export const COPY_TRAILER_BYTES = 2;
/** Milliseconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC). */
const PG_EPOCH_MS = 946_684_800_000;
const SIZE: Record<BinaryType, number> = { int4: 4, int8: 8, float8: 8, timestamptz_ms: 8 };
const TWO_32 = 4_294_967_296;

/** Writes the stream header at `o`; returns the offset after it. */
export function writeCopyHeader(buf: Buffer, o: number): number {
  SIGNATURE.copy(buf, o);
  buf.writeInt32BE(0, o + SIGNATURE.length); // flags
  buf.writeInt32BE(0, o + SIGNATURE.length + 4); // header extension length
  return o + COPY_HEADER_BYTES;
}

/** Writes the stream trailer at `o`; returns the offset after it. */
export function writeCopyTrailer(buf: Buffer, o: number): number {
  buf.writeInt16BE(-1, o);
  return o + COPY_TRAILER_BYTES;
}

/**
 * Writes a safe integer as a big-endian int8 from two 32-bit halves (no BigInt: converting every
 * value to a BigInt was the largest single cost of encoding a batch).
 */
export function setInt64(view: DataView, o: number, n: number): void {
  const hi = Math.floor(n / TWO_32);
  view.setInt32(o, hi);
  view.setUint32(o + 4, n - hi * TWO_32);
}

/** Writes a JS time (ms since the Unix epoch, fractions kept) as a timestamptz: µs since 2000. */
export function setTimestampMs(view: DataView, o: number, ms: number): void {
  setInt64(view, o, Math.round((ms - PG_EPOCH_MS) * 1000));
}

/** Encodes rows (values in `types` order; null for NULL) as one binary COPY stream. */
export function encodeBinaryCopy(
  types: readonly BinaryType[],
  rows: ReadonlyArray<ReadonlyArray<string | number | bigint | null>>,
): Buffer {
  const rowSize = 2 + types.reduce((n, t) => n + 4 + SIZE[t], 0);
  const size = COPY_HEADER_BYTES + rowSize * rows.length + COPY_TRAILER_BYTES;
  const buf = Buffer.allocUnsafe(size);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let o = writeCopyHeader(buf, 0);
  for (const row of rows) {
    view.setInt16(o, types.length);
    o += 2;
    for (let i = 0; i < types.length; i++) {
      const v = row[i];
      const t = types[i] as BinaryType;
      if (v === null || v === undefined) {
        view.setInt32(o, -1);
        o += 4;
        continue;
      }
      view.setInt32(o, SIZE[t]);
      o += 4;
      switch (t) {
        case 'int4':
          view.setInt32(o, Number(v));
          break;
        case 'int8':
          if (typeof v === 'number' && Number.isSafeInteger(v)) setInt64(view, o, v);
          else view.setBigInt64(o, BigInt(v));
          break;
        case 'float8':
          view.setFloat64(o, Number(v));
          break;
        case 'timestamptz_ms':
          // Microseconds since 2000-01-01; sub-millisecond parts of the JS time are kept.
          setTimestampMs(view, o, Number(v));
          break;
      }
      o += SIZE[t];
    }
  }
  o = writeCopyTrailer(buf, o);
  return o === size ? buf : buf.subarray(0, o);
}
