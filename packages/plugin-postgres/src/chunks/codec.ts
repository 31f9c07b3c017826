import { BitReader, BitWriter } from './bits.js';
import { FloatDecoder, FloatEncoder } from './floats.js';
import { IntDecoder, IntEncoder, intCost } from './ints.js';

/**
 * The chunk codec: one series' samples of one window in a few bits each, written from the
 * published descriptions of Facebook's Gorilla (timestamps as delta-of-delta in prefix-coded
 * buckets; doubles XOR-ed with the previous one, only the meaningful bits kept) and of zig-zag
 * integer deltas for exact 64-bit counters. Every value round-trips bit for bit: NaN payloads,
 * ±Inf, -0, and integers up to 2^64-1.
 *
 * Layout: version byte, LEB128 sample count, a flags byte, then one bit stream with, per sample,
 * the timestamp code followed by the value code of the chunk's mode. A chunk with shared
 * timestamps (flag 32) holds no timestamp codes: after the flags comes the LEB128 id of the
 * series whose poll times it shares (`times.ts`), and the bit stream holds the values only.
 */

/**
 * An exact reading: the unsigned 64-bit value's bit pattern as a signed int8 (as stored), a
 * number when that is a safe integer and a bigint otherwise (`exact()` makes that form), so the
 * counters of a fleet — almost all below 2^53 — never go through bigint arithmetic.
 */
export type Exact = number | bigint;

/** Samples of one series in time order, as the row table holds them. */
export interface ChunkSamples {
  /** Milliseconds since the epoch (integers; fractional ms are kept to the microsecond). */
  ts: number[];
  /** The double of each reading. */
  values: number[];
  /** The exact reading (see `Exact`), or null. */
  raws: Array<Exact | null>;
}

/** An exact reading in its one form: a number when it is a safe integer, a bigint otherwise. */
export function exact(x: Exact): Exact {
  if (typeof x === 'number') return x;
  return x >= -9_007_199_254_740_991n && x <= 9_007_199_254_740_991n ? Number(x) : x;
}

const VERSION = 1;
const MODE_FLOAT = 0;
const MODE_INT = 1;
const MODE_MIXED = 2;
const FLAG_DOD = 4;
const FLAG_MICROS = 8;
/** Timestamps as the step's distance from the chunk's typical step (jittered polls), not from the step before. */
const FLAG_PERIOD = 16;
/** The timestamps are stored once for the series of a device polled together (`times.ts`). */
const FLAG_SHARED = 32;
const TWO_32 = 4_294_967_296;
const TWO_64 = 1n << 64n;

/** The unsigned value of an exact reading, in its one form (a number below 2^53). */
export function u64(raw: Exact): Exact {
  if (typeof raw === 'number') return raw >= 0 ? raw : BigInt(raw) + TWO_64;
  return exact(raw < 0n ? raw + TWO_64 : raw);
}

/** The unsigned value as the stored signed pattern, in its one form. */
const signed = (u: Exact): Exact => (typeof u === 'number' ? u : exact(BigInt.asIntN(64, u)));

// One writer for every chunk (encoding is synchronous): its buffer grows once, not per chunk.
const writer = new BitWriter(4096);

/**
 * Encodes samples (sorted by time, equal-length arrays) into a chunk. With `sharedWith`, the
 * timestamps are left out: the reader passes them to `decodeChunk` (the series `sharedWith`'s poll
 * times of the same window, which the caller stores once).
 */
export function encodeChunk(s: ChunkSamples, sharedWith?: number): Uint8Array {
  const n = s.ts.length;
  if (s.values.length !== n || s.raws.length !== n) throw new RangeError('chunk columns differ in length');
  const w = writer;
  w.reset();
  w.write(VERSION, 8);
  w.varint(n);
  if (n === 0) return w.finish();

  let micros = false;
  for (let i = 0; i < n && !micros; i++) micros = !Number.isInteger(s.ts[i]);
  const ts = micros ? s.ts.map((t) => Math.round(t * 1000)) : s.ts;
  for (let i = 0; i < n; i++)
    if (!Number.isSafeInteger(ts[i])) throw new RangeError(`bad timestamp ${ts[i]}`);
  // Integer mode when every reading is exact and its double is the exact value (-0 with an
  // exact 0 is not: it keeps its sign through the float code); the unsigned values kept for it.
  let mode = MODE_INT;
  let none = true;
  const us: Exact[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const raw = s.raws[i];
    if (raw === null || raw === undefined) {
      mode = MODE_MIXED;
      continue;
    }
    none = false;
    if (mode !== MODE_INT) continue;
    const u = u64(raw);
    us[i] = u;
    if (!Object.is(typeof u === 'number' ? u : Number(u), s.values[i])) mode = MODE_MIXED;
  }
  if (none) mode = MODE_FLOAT;
  const dod = mode === MODE_INT && intCost(us, true) < intCost(us, false);
  if (sharedWith !== undefined) {
    if (!Number.isSafeInteger(sharedWith) || sharedWith < 0) throw new RangeError('bad shared-times id');
    w.write(mode | (dod ? FLAG_DOD : 0) | FLAG_SHARED, 8);
    w.varint(sharedWith);
    putValues(w, s, us, mode, dod, undefined);
    return w.finish();
  }
  const period = typicalStep(ts);
  const byPeriod = period !== undefined && timeCost(ts, period) < timeCost(ts, undefined);
  w.write(mode | (dod ? FLAG_DOD : 0) | (micros ? FLAG_MICROS : 0) | (byPeriod ? FLAG_PERIOD : 0), 8);
  if (byPeriod) w.varint(period as number);
  putValues(w, s, us, mode, dod, { ts, period: byPeriod ? period : undefined });
  return w.finish();
}

/** The value codes (after each timestamp code when `times` is given). */
function putValues(
  w: BitWriter,
  s: ChunkSamples,
  us: Exact[],
  mode: number,
  dod: boolean,
  times: { ts: readonly number[]; period: number | undefined } | undefined,
): void {
  const floats = new FloatEncoder(w);
  const ints = new IntEncoder(w, dod);
  let prevT = 0;
  let prevDelta = 0;
  for (let i = 0; i < s.ts.length; i++) {
    if (times) {
      const t = times.ts[i] as number;
      if (i === 0) writeInt64(w, t);
      else {
        const delta = t - prevT;
        writeTimeDod(w, delta - (times.period ?? prevDelta), t);
        prevDelta = delta;
      }
      prevT = t;
    }
    if (mode === MODE_INT) ints.put(us[i] as Exact);
    else {
      floats.put(s.values[i] as number);
      if (mode === MODE_MIXED) {
        const raw = s.raws[i] ?? null;
        w.bit(raw !== null);
        if (raw !== null) ints.put(u64(raw));
      }
    }
  }
}

/** The id whose poll times a chunk shares (see `encodeChunk`), or undefined when it holds its own. */
export function sharedTimesOf(bytes: Uint8Array): number | undefined {
  const r = new BitReader(bytes);
  if (r.read(8) !== VERSION) return undefined;
  if (r.varint() === 0) return undefined;
  return r.read(8) & FLAG_SHARED ? r.varint() : undefined;
}

/**
 * Decodes a chunk; throws RangeError on bytes that are not one (truncated, unknown version), and
 * on a chunk with shared timestamps when `times` (those timestamps) is missing or of another length.
 */
export function decodeChunk(bytes: Uint8Array, times?: readonly number[]): ChunkSamples {
  const n = chunkCount(bytes);
  const out: ChunkSamples = { ts: new Array(n), values: new Array(n), raws: new Array(n) };
  decodeChunkInto(bytes, times, out, 0);
  return out;
}

/**
 * The number of samples in a chunk, from its header (so a caller can size one set of arrays for
 * several chunks); throws RangeError on bytes that are not a chunk's.
 */
export function chunkCount(bytes: Uint8Array): number {
  const r = new BitReader(bytes);
  const version = r.read(8);
  if (version !== VERSION) throw new RangeError(`unknown chunk version ${version}`);
  const n = r.varint();
  // Every sample takes at least one bit: a count beyond that is a corrupt chunk.
  if (n > bytes.length * 8) throw new RangeError('chunk count beyond its bytes');
  return n;
}

/**
 * Decodes a chunk into `out` from index `at` on (the arrays long enough: `chunkCount` samples
 * from `at`) and returns the count. Several chunks of a series decode into one set of arrays
 * this way, with no per-chunk arrays to copy and collect (a day's merge and every read of a day
 * spent more time appending decoded windows than decoding them). Throws as `decodeChunk`.
 */
export function decodeChunkInto(
  bytes: Uint8Array,
  times: readonly number[] | undefined,
  out: ChunkSamples,
  at: number,
): number {
  const r = new BitReader(bytes);
  const version = r.read(8);
  if (version !== VERSION) throw new RangeError(`unknown chunk version ${version}`);
  const n = r.varint();
  if (n > bytes.length * 8) throw new RangeError('chunk count beyond its bytes');
  if (n === 0) return 0;
  if (at < 0 || at + n > out.ts.length || at + n > out.values.length || at + n > out.raws.length)
    throw new RangeError('chunk does not fit its destination');
  const flags = r.read(8);
  const mode = flags & 3;
  if (mode > MODE_MIXED) throw new RangeError(`unknown chunk mode ${mode}`);
  const shared = (flags & FLAG_SHARED) !== 0;
  if (shared) {
    r.varint();
    if (times?.length !== n) throw new RangeError('chunk needs its shared timestamps');
  }
  const micros = (flags & FLAG_MICROS) !== 0;
  const period = !shared && flags & FLAG_PERIOD ? r.varint() : undefined;
  const floats = new FloatDecoder(r);
  const ints = new IntDecoder(r, (flags & FLAG_DOD) !== 0);
  const { ts, values, raws } = out;
  let prevT = 0;
  let prevDelta = 0;
  for (let i = 0; i < n; i++) {
    const k = at + i;
    if (shared) ts[k] = (times as readonly number[])[i] as number;
    else {
      let t: number;
      if (i === 0) t = readInt64(r);
      else {
        t = readTime(r, prevT + (period ?? prevDelta));
        prevDelta = t - prevT;
      }
      prevT = t;
      ts[k] = micros ? t / 1000 : t;
    }
    if (mode === MODE_INT) {
      const u = ints.next();
      values[k] = Number(u);
      raws[k] = signed(u);
    } else {
      values[k] = floats.next();
      raws[k] = mode === MODE_MIXED && r.bit() ? signed(ints.next()) : null;
    }
  }
  return n;
}

/** A safe integer as its 64-bit two's complement. */
function writeInt64(w: BitWriter, t: number): void {
  const hi = Math.floor(t / TWO_32);
  w.write(hi >>> 0, 32);
  w.write(t - hi * TWO_32, 32);
}

/** A 64-bit two's complement as a number (exact within the safe range). */
function readInt64(r: BitReader): number {
  const hi = r.read(32) | 0;
  return hi * TWO_32 + r.read(32);
}

// Timestamps: the delta-of-delta in Gorilla's buckets; beyond 12 bits the absolute time itself
// (64 bits), which keeps every arithmetic step exact for any safe-integer timestamps.
function writeTimeDod(w: BitWriter, dod: number, t: number): void {
  if (dod === 0) w.write(0, 1);
  else if (dod >= -63 && dod <= 64) w.write((0b10 << 7) | (dod + 63), 9);
  else if (dod >= -255 && dod <= 256) w.write((0b110 << 9) | (dod + 255), 12);
  else if (dod >= -2047 && dod <= 2048) w.write((0b1110 << 12) | (dod + 2047), 16);
  else {
    w.write(0b1111, 4);
    writeInt64(w, t);
  }
}

/** The next timestamp: `expected` (the previous plus the step) moved by its code, or an absolute time. */
function readTime(r: BitReader, expected: number): number {
  if (!r.bit()) return expected;
  if (!r.bit()) return expected + r.read(7) - 63;
  if (!r.bit()) return expected + r.read(9) - 255;
  if (!r.bit()) return expected + r.read(12) - 2047;
  return readInt64(r);
}

const timeBits = (d: number) =>
  d === 0 ? 1 : d >= -63 && d <= 64 ? 9 : d >= -255 && d <= 256 ? 12 : d >= -2047 && d <= 2048 ? 16 : 68;

/** Bits the timestamps take after the first: against `period`, or as deltas of deltas. */
function timeCost(ts: readonly number[], period: number | undefined): number {
  let bits = 0;
  let prevDelta = 0;
  for (let i = 1; i < ts.length; i++) {
    const delta = (ts[i] as number) - (ts[i - 1] as number);
    bits += timeBits(delta - (period ?? prevDelta));
    prevDelta = delta;
  }
  return bits;
}

/** The median step between timestamps, when there are steps and it is a small non-negative integer. */
function typicalStep(ts: readonly number[]): number | undefined {
  if (ts.length < 3) return undefined;
  const steps = new Float64Array(ts.length - 1);
  for (let i = 1; i < ts.length; i++) steps[i - 1] = (ts[i] as number) - (ts[i - 1] as number);
  steps.sort();
  const mid = steps[steps.length >> 1] as number;
  return mid >= 0 && mid < 2 ** 40 ? mid : undefined;
}
