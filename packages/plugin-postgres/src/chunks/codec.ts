import { BitReader, BitWriter } from './bits.js';

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

/** Samples of one series in time order, as the row table holds them. */
export interface ChunkSamples {
  /** Milliseconds since the epoch (integers; fractional ms are kept to the microsecond). */
  ts: number[];
  /** The double of each reading. */
  values: number[];
  /** The exact unsigned 64-bit reading as its signed int8 bit pattern (as stored), or null. */
  raws: Array<bigint | null>;
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
const TWO_64 = 1n << 64n;
/** Widths of the integer code's eight classes; the last holds any zig-zag dod of u64 values. */
const INT_WIDTHS = [4, 8, 12, 16, 24, 32, 48, 68] as const;

const f64 = new DataView(new ArrayBuffer(8));
const u64 = (raw: bigint) => (raw < 0n ? raw + TWO_64 : raw);
const zigzag = (d: bigint) => (d >= 0n ? d << 1n : (-d << 1n) - 1n);
const unzigzag = (z: bigint) => (z & 1n ? -((z + 1n) >> 1n) : z >> 1n);

function intClass(zz: bigint): number {
  for (let c = 0; c < INT_WIDTHS.length; c++) if (zz < 1n << BigInt(INT_WIDTHS[c] as number)) return c;
  throw new RangeError('integer delta out of range');
}

/**
 * Encodes samples (sorted by time, equal-length arrays) into a chunk. With `sharedWith`, the
 * timestamps are left out: the reader passes them to `decodeChunk` (the series `sharedWith`'s poll
 * times of the same window, which the caller stores once).
 */
export function encodeChunk(s: ChunkSamples, sharedWith?: number): Uint8Array {
  const n = s.ts.length;
  if (s.values.length !== n || s.raws.length !== n) throw new RangeError('chunk columns differ in length');
  const w = new BitWriter(16 + n * 2);
  w.write(VERSION, 8);
  w.varint(n);
  if (n === 0) return w.finish();

  const micros = s.ts.some((t) => !Number.isInteger(t));
  const ts = micros ? s.ts.map((t) => Math.round(t * 1000)) : s.ts;
  for (const t of ts) if (!Number.isSafeInteger(t)) throw new RangeError(`bad timestamp ${t}`);
  let mode = MODE_INT;
  let none = true;
  for (let i = 0; i < n; i++) {
    const raw = s.raws[i];
    if (raw === null || raw === undefined) mode = MODE_MIXED;
    else {
      none = false;
      // -0 with an exact 0 is not an integer reading: it keeps its sign through the float code.
      if (!Object.is(Number(u64(raw)), s.values[i])) mode = MODE_MIXED;
    }
  }
  if (none) mode = MODE_FLOAT;
  const dod = mode === MODE_INT && intCost(s.raws as bigint[], true) < intCost(s.raws as bigint[], false);
  if (sharedWith !== undefined) {
    if (!Number.isSafeInteger(sharedWith) || sharedWith < 0) throw new RangeError('bad shared-times id');
    w.write(mode | (dod ? FLAG_DOD : 0) | FLAG_SHARED, 8);
    w.varint(sharedWith);
    putValues(w, s, mode, dod);
    return w.finish();
  }
  const period = typicalStep(ts);
  const byPeriod = period !== undefined && timeCost(ts, period) < timeCost(ts, undefined);
  w.write(mode | (dod ? FLAG_DOD : 0) | (micros ? FLAG_MICROS : 0) | (byPeriod ? FLAG_PERIOD : 0), 8);
  if (byPeriod) w.varint(period as number);

  const floats = new FloatEncoder(w);
  const ints = new IntEncoder(w, dod);
  let prevT = 0;
  let prevDelta = 0;
  for (let i = 0; i < n; i++) {
    const t = ts[i] as number;
    if (i === 0) w.writeBig(BigInt.asUintN(64, BigInt(t)), 64);
    else {
      const delta = t - prevT;
      writeTimeDod(w, delta - (byPeriod ? (period as number) : prevDelta), t);
      prevDelta = delta;
    }
    prevT = t;
    const raw = s.raws[i] ?? null;
    if (mode === MODE_INT) ints.put(u64(raw as bigint));
    else {
      floats.put(s.values[i] as number);
      if (mode === MODE_MIXED) {
        w.bit(raw !== null);
        if (raw !== null) ints.put(u64(raw));
      }
    }
  }
  return w.finish();
}

/** Values only, for a chunk whose timestamps are shared. */
function putValues(w: BitWriter, s: ChunkSamples, mode: number, dod: boolean): void {
  const floats = new FloatEncoder(w);
  const ints = new IntEncoder(w, dod);
  for (let i = 0; i < s.ts.length; i++) {
    const raw = s.raws[i] ?? null;
    if (mode === MODE_INT) ints.put(u64(raw as bigint));
    else {
      floats.put(s.values[i] as number);
      if (mode === MODE_MIXED) {
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
  const r = new BitReader(bytes);
  const version = r.read(8);
  if (version !== VERSION) throw new RangeError(`unknown chunk version ${version}`);
  const n = r.varint();
  // Every sample takes at least one bit: a count beyond that is a corrupt chunk.
  if (n > bytes.length * 8) throw new RangeError('chunk count beyond its bytes');
  const out: ChunkSamples = { ts: new Array(n), values: new Array(n), raws: new Array(n) };
  if (n === 0) return out;
  const flags = r.read(8);
  const mode = flags & 3;
  if (mode > MODE_MIXED) throw new RangeError(`unknown chunk mode ${mode}`);
  if (flags & FLAG_SHARED) {
    r.varint();
    if (times?.length !== n) throw new RangeError('chunk needs its shared timestamps');
    const floats = new FloatDecoder(r);
    const ints = new IntDecoder(r, (flags & FLAG_DOD) !== 0);
    for (let i = 0; i < n; i++) {
      out.ts[i] = times[i] as number;
      if (mode === MODE_INT) {
        const u = ints.next();
        out.values[i] = Number(u);
        out.raws[i] = BigInt.asIntN(64, u);
      } else {
        out.values[i] = floats.next();
        out.raws[i] = mode === MODE_MIXED && r.bit() ? BigInt.asIntN(64, ints.next()) : null;
      }
    }
    return out;
  }
  const micros = (flags & FLAG_MICROS) !== 0;
  const period = flags & FLAG_PERIOD ? r.varint() : undefined;
  const floats = new FloatDecoder(r);
  const ints = new IntDecoder(r, (flags & FLAG_DOD) !== 0);
  let prevT = 0;
  let prevDelta = 0;
  for (let i = 0; i < n; i++) {
    let t: number;
    if (i === 0) t = Number(BigInt.asIntN(64, r.readBig(64)));
    else {
      const absolute = readTime(r);
      t = absolute.abs ? absolute.value : prevT + (period ?? prevDelta) + absolute.value;
      prevDelta = t - prevT;
    }
    prevT = t;
    out.ts[i] = micros ? t / 1000 : t;
    if (mode === MODE_INT) {
      const u = ints.next();
      out.values[i] = Number(u);
      out.raws[i] = BigInt.asIntN(64, u);
    } else {
      out.values[i] = floats.next();
      out.raws[i] = mode === MODE_MIXED && r.bit() ? BigInt.asIntN(64, ints.next()) : null;
    }
  }
  return out;
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
    w.writeBig(BigInt.asUintN(64, BigInt(t)), 64);
  }
}

function readTime(r: BitReader): { abs: boolean; value: number } {
  if (!r.bit()) return { abs: false, value: 0 };
  if (!r.bit()) return { abs: false, value: r.read(7) - 63 };
  if (!r.bit()) return { abs: false, value: r.read(9) - 255 };
  if (!r.bit()) return { abs: false, value: r.read(12) - 2047 };
  return { abs: true, value: Number(BigInt.asIntN(64, r.readBig(64))) };
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
  const steps: number[] = [];
  for (let i = 1; i < ts.length; i++) steps.push((ts[i] as number) - (ts[i - 1] as number));
  steps.sort((a, b) => a - b);
  const mid = steps[steps.length >> 1] as number;
  return mid >= 0 && mid < 2 ** 40 ? mid : undefined;
}

/** Bits the integer code would take for these readings, as deltas or as deltas of deltas. */
function intCost(raws: readonly bigint[], dod: boolean): number {
  let bits = 64;
  let prev = u64(raws[0] as bigint);
  let prevDelta = 0n;
  for (let i = 1; i < raws.length; i++) {
    const cur = u64(raws[i] as bigint);
    const delta = cur - prev;
    const zz = zigzag(dod ? delta - prevDelta : delta);
    bits += zz === 0n ? 1 : 4 + (INT_WIDTHS[intClass(zz)] as number);
    prev = cur;
    prevDelta = delta;
  }
  return bits;
}

/** Exact integers: the first as 64 bits, then zig-zag deltas (or deltas of deltas) by class. */
class IntEncoder {
  #prev: bigint | undefined;
  #prevDelta = 0n;
  constructor(
    private readonly w: BitWriter,
    private readonly dod: boolean,
  ) {}

  put(u: bigint): void {
    if (this.#prev === undefined) this.w.writeBig(u, 64);
    else {
      const delta = u - this.#prev;
      const zz = zigzag(this.dod ? delta - this.#prevDelta : delta);
      this.#prevDelta = delta;
      if (zz === 0n) this.w.write(0, 1);
      else {
        const c = intClass(zz);
        this.w.write(8 | c, 4);
        this.w.writeBig(zz, INT_WIDTHS[c] as number);
      }
    }
    this.#prev = u;
  }
}

class IntDecoder {
  #prev: bigint | undefined;
  #prevDelta = 0n;
  constructor(
    private readonly r: BitReader,
    private readonly dod: boolean,
  ) {}

  next(): bigint {
    let u: bigint;
    if (this.#prev === undefined) u = this.r.readBig(64);
    else {
      let zz = 0n;
      if (this.r.bit()) zz = this.r.readBig(INT_WIDTHS[this.r.read(3)] as number);
      const d = unzigzag(zz);
      const delta = this.dod ? this.#prevDelta + d : d;
      u = this.#prev + delta;
      if (u < 0n || u >= TWO_64) throw new RangeError('chunk integer out of range');
      this.#prevDelta = delta;
    }
    this.#prev = u;
    return u;
  }
}

const ctz32 = (x: number) => 31 - Math.clz32(x & -x);

/**
 * Doubles XOR-ed with the previous one (as two 32-bit words, so no bigint per value): an equal
 * value is one `0` bit; otherwise the meaningful bits of the XOR, inside the previous window of
 * leading/trailing zeros when they fit (`10`), else with a new window (`11`, 5 bits of leading
 * zeros, 6 bits of length - 1).
 */
class FloatEncoder {
  #hi = 0;
  #lo = 0;
  #first = true;
  #lead = -1;
  #trail = 0;
  constructor(private readonly w: BitWriter) {}

  put(v: number): void {
    f64.setFloat64(0, v);
    const hi = f64.getUint32(0);
    const lo = f64.getUint32(4);
    if (this.#first) {
      this.w.write(hi, 32);
      this.w.write(lo, 32);
      this.#first = false;
    } else {
      const xh = (hi ^ this.#hi) >>> 0;
      const xl = (lo ^ this.#lo) >>> 0;
      if (xh === 0 && xl === 0) this.w.write(0, 1);
      else {
        const lead = Math.min(31, xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl));
        const trail = xl !== 0 ? ctz32(xl) : 32 + ctz32(xh);
        if (this.#lead >= 0 && lead >= this.#lead && trail >= this.#trail) {
          this.w.write(0b10, 2);
          writeSpan(this.w, xh, xl, this.#lead, this.#trail);
        } else {
          const len = 64 - lead - trail;
          this.w.write(0b11, 2);
          this.w.write(lead, 5);
          this.w.write(len - 1, 6);
          writeSpan(this.w, xh, xl, lead, trail);
          this.#lead = lead;
          this.#trail = trail;
        }
      }
    }
    this.#hi = hi;
    this.#lo = lo;
  }
}

class FloatDecoder {
  #hi = 0;
  #lo = 0;
  #first = true;
  #lead = 0;
  #trail = 0;
  constructor(private readonly r: BitReader) {}

  next(): number {
    if (this.#first) {
      this.#hi = this.r.read(32);
      this.#lo = this.r.read(32);
      this.#first = false;
    } else if (this.r.bit()) {
      if (this.r.bit()) {
        this.#lead = this.r.read(5);
        const len = this.r.read(6) + 1;
        this.#trail = 64 - this.#lead - len;
        if (this.#trail < 0) throw new RangeError('corrupt chunk float');
      }
      const [xh, xl] = readSpan(this.r, this.#lead, this.#trail);
      this.#hi = (this.#hi ^ xh) >>> 0;
      this.#lo = (this.#lo ^ xl) >>> 0;
    }
    f64.setUint32(0, this.#hi);
    f64.setUint32(4, this.#lo);
    return f64.getFloat64(0);
  }
}

// Bits [trail, 64 - lead) of the 64-bit word (hi, lo), most significant first.
function writeSpan(w: BitWriter, hi: number, lo: number, lead: number, trail: number): void {
  const top = 63 - lead;
  if (top >= 32) {
    const from = Math.max(trail, 32) - 32;
    const count = top - 32 - from + 1;
    w.write((hi >>> from) % 2 ** count, count);
  }
  if (trail < 32) {
    const count = Math.min(31, top) - trail + 1;
    w.write((lo >>> trail) % 2 ** count, count);
  }
}

function readSpan(r: BitReader, lead: number, trail: number): [number, number] {
  const top = 63 - lead;
  let hi = 0;
  let lo = 0;
  if (top >= 32) {
    const from = Math.max(trail, 32) - 32;
    hi = (r.read(top - 32 - from + 1) * 2 ** from) >>> 0;
  }
  if (trail < 32) lo = (r.read(Math.min(31, top) - trail + 1) * 2 ** trail) >>> 0;
  return [hi, lo];
}
