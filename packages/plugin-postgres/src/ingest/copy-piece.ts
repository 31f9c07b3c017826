import { COPY_HEADER_BYTES, COPY_TRAILER_BYTES, writeCopyHeader, writeCopyTrailer } from '../db/binary.js';

/**
 * One piece of a binary COPY stream: the header when it is the `first` piece, then `rows` rows
 * of at most `rowBytes` each written by `fill` (from offset `o`; it returns the offset after
 * them), then the trailer when it is the `last`. Trimmed to what was written (a null field is
 * shorter than its value). The samples' COPY and the rollups' COPY both frame their rows here.
 * `own`: in a memory block of its own, never Node's shared pool of small buffers, so that its
 * `buffer` can be transferred to a worker thread without a copy.
 */
export function copyPiece(
  rows: number,
  rowBytes: number,
  first: boolean,
  last: boolean,
  fill: (view: DataView, o: number) => number,
  own = false,
): Buffer {
  const size = (first ? COPY_HEADER_BYTES : 0) + rows * rowBytes + (last ? COPY_TRAILER_BYTES : 0);
  const buf = own ? Buffer.from(new ArrayBuffer(size)) : Buffer.allocUnsafe(size);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let o = fill(view, first ? writeCopyHeader(buf, 0) : 0);
  if (last) o = writeCopyTrailer(buf, o);
  return o === buf.length ? buf : buf.subarray(0, o);
}
