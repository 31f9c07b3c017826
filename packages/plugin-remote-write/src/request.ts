import { endianness } from 'node:os';
import protobuf from 'protobufjs';
import { type EncodedSeries, fastTimestamp, SAMPLE_BYTES } from './series-cache.js';

/** A sample's bytes after its series' head (which ends with the value's tag): value, timestamp tag and varint. */
const SAMPLE_TAIL = SAMPLE_BYTES - 1;
/** Most bytes the buffer starts with: it grows to the largest request made, and stays so. */
const INITIAL_MAX = 1024 * 1024;

// A float64's bytes as the protocol wants them (little-endian), read from a scratch array.
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * One WriteRequest being filled (before snappy): one TimeSeries per sample, its series' cached
 * head, then the value and timestamp written straight into a buffer kept from request to request,
 * so a sample allocates nothing. The same bytes protobufjs makes of the same series and samples
 * (test/series-cache.test.ts compares them, and decodes them with protobufjs). Timestamps outside
 * 1971–2109 (tests, a clock gone wrong) are encoded by protobufjs, which counts their lengths.
 */
export class RequestBuffer {
  #buf: Buffer;
  #pos = 0;
  /** Samples in the request. */
  count = 0;
  /** The newest timestamp in the request (ms), 0 when empty. */
  newest = 0;
  #writer: protobuf.Writer | undefined;

  /** `samples` is the most a request holds: it sizes the first buffer. */
  constructor(samples: number) {
    this.#buf = Buffer.allocUnsafeSlow(Math.min(INITIAL_MAX, samples * 128));
  }

  /** Appends one sample; `ts` is an integer. */
  append(series: EncodedSeries, value: number, ts: number): void {
    if (!fastTimestamp(ts)) {
      this.#appendGeneral(series, value, ts);
      return;
    }
    const head = series.bytes;
    let pos = this.#pos;
    if (pos + head.length + SAMPLE_TAIL > this.#buf.length) this.#grow(head.length + SAMPLE_TAIL);
    const buf = this.#buf;
    buf.set(head, pos);
    pos += head.length;
    if (LITTLE_ENDIAN) {
      F64[0] = value;
      buf[pos] = F64_BYTES[0] as number;
      buf[pos + 1] = F64_BYTES[1] as number;
      buf[pos + 2] = F64_BYTES[2] as number;
      buf[pos + 3] = F64_BYTES[3] as number;
      buf[pos + 4] = F64_BYTES[4] as number;
      buf[pos + 5] = F64_BYTES[5] as number;
      buf[pos + 6] = F64_BYTES[6] as number;
      buf[pos + 7] = F64_BYTES[7] as number;
    } else buf.writeDoubleLE(value, pos);
    // The timestamp (field 2, varint): in [2^35, 2^42), exactly six 7-bit groups, low first.
    buf[pos + 8] = 16;
    const low = ts % 0x10000000;
    const high = (ts - low) / 0x10000000;
    buf[pos + 9] = (low & 0x7f) | 0x80;
    buf[pos + 10] = ((low >>> 7) & 0x7f) | 0x80;
    buf[pos + 11] = ((low >>> 14) & 0x7f) | 0x80;
    buf[pos + 12] = ((low >>> 21) & 0x7f) | 0x80;
    buf[pos + 13] = (high & 0x7f) | 0x80;
    buf[pos + 14] = high >>> 7;
    this.#pos = pos + SAMPLE_TAIL;
    this.count++;
    if (ts > this.newest) this.newest = ts;
  }

  /** A sample off the fast path, its lengths counted by protobufjs. */
  #appendGeneral(series: EncodedSeries, value: number, ts: number): void {
    this.#writer ??= protobuf.Writer.create();
    const w = this.#writer;
    w.pos = 0;
    w.states = null;
    w.uint32(10).fork().raw(series.bytes.subarray(series.labelsStart, series.labelsEnd));
    w.uint32(18).fork().uint32(9).double(value).uint32(16).int64(ts).ldelim().ldelim();
    // Encoded whole before anything is copied: a throw leaves the request as it was.
    const bytes = w.finish(true);
    if (this.#pos + bytes.length > this.#buf.length) this.#grow(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
    this.count++;
    if (ts > this.newest) this.newest = ts;
  }

  #grow(need: number): void {
    const next = Buffer.allocUnsafeSlow(Math.max(this.#buf.length * 2, this.#pos + need));
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }

  /** The request's bytes: a view, valid until the next `append` after `reset`. */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.#pos);
  }

  /** Empties the request (the buffer is kept). */
  reset(): void {
    this.#pos = 0;
    this.count = 0;
    this.newest = 0;
  }
}
