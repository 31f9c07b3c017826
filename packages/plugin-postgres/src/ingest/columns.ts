import { setInt64, setTimestampMs } from '../db/binary.js';
import type { BinaryPayload } from '../db/types.js';
import { copyPiece } from './copy-piece.js';

/** A row's exact integer (`raw`): none (NULL). */
export const RAW_NONE = 0;
/** `value` itself is a safe integer >= 0: written from two 32-bit halves. */
export const RAW_VALUE = 1;
/** A bigint bit pattern kept in `big`. */
export const RAW_BIG = 2;

/** Bytes of one row of (series_id int4, ts timestamptz, value float8, raw int8) at most. */
const ROW_BYTES = 2 + (4 + 4) + (4 + 8) + (4 + 8) + (4 + 8);
/** Rows per piece of a COPY stream (about 64 KiB). */
export const PIECE_ROWS = 1400;

/**
 * A batch of sample rows in column arrays (no object per row), encoded straight into COPY's
 * binary format for `ispm_samples (series_id, ts, value, raw)`.
 */
export class SampleColumns {
  readonly ids: Int32Array;
  readonly ts: Float64Array;
  readonly value: Float64Array;
  readonly raw: Uint8Array;
  /** Bit patterns of rows whose `raw` is `RAW_BIG`, by row. */
  readonly big = new Map<number, bigint>();
  length = 0;

  constructor(capacity: number) {
    this.ids = new Int32Array(capacity);
    this.ts = new Float64Array(capacity);
    this.value = new Float64Array(capacity);
    this.raw = new Uint8Array(capacity);
  }

  /** Rows [from, to) as one COPY stream, encoded in pieces of `pieceRows` as they are read. */
  payload(from: number, to: number, pieceRows = PIECE_ROWS): BinaryPayload {
    return {
      rows: to - from,
      pieces: () => this.#pieces(from, to, pieceRows),
      whole: () =>
        copyPiece(to - from, ROW_BYTES, true, true, (view, o) => this.#rows(view, o, from, to), true),
    };
  }

  *#pieces(from: number, to: number, pieceRows: number): Generator<Buffer> {
    let i = from;
    for (;;) {
      const end = Math.min(to, i + pieceRows);
      const first = i === from;
      const last = end === to;
      const start = i;
      yield copyPiece(end - i, ROW_BYTES, first, last, (view, o) => this.#rows(view, o, start, end));
      if (last) return;
      i = end;
    }
  }

  #rows(view: DataView, o: number, from: number, to: number): number {
    const { ids, ts, value, raw } = this;
    for (let i = from; i < to; i++) {
      view.setInt16(o, 4);
      view.setInt32(o + 2, 4);
      view.setInt32(o + 6, ids[i] as number);
      view.setInt32(o + 10, 8);
      setTimestampMs(view, o + 14, ts[i] as number);
      view.setInt32(o + 22, 8);
      view.setFloat64(o + 26, value[i] as number);
      o += 34;
      const kind = raw[i];
      if (kind === RAW_NONE) {
        view.setInt32(o, -1);
        o += 4;
        continue;
      }
      view.setInt32(o, 8);
      if (kind === RAW_VALUE) setInt64(view, o + 4, value[i] as number);
      else view.setBigInt64(o + 4, this.big.get(i) as bigint);
      o += 12;
    }
    return o;
  }
}
