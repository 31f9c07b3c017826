import type { BitReader, BitWriter } from './bits.js';
import type { Exact } from './codec.js';

/**
 * The chunk codec's integer code, for exact unsigned 64-bit readings: the first as 64 bits,
 * then zig-zag deltas (or deltas of deltas) in eight width classes. Values below 2^53 — almost
 * every counter — take the number path; a step whose arithmetic would leave the safe range is
 * done in bigint, exactly, and the bits written are the same either way.
 */

/** Widths of the integer code's eight classes; the last holds any zig-zag dod of u64 values. */
const INT_WIDTHS = [4, 8, 12, 16, 24, 32, 48, 68] as const;
const TWO_64 = 1n << 64n;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Above this, doubling (zig-zag) would leave the safe range. */
const HALF_SAFE = 2 ** 52 - 1;

const zigzagBig = (d: bigint) => (d >= 0n ? d << 1n : (-d << 1n) - 1n);
const unzigzagBig = (z: bigint) => (z & 1n ? -((z + 1n) >> 1n) : z >> 1n);
const big = (x: Exact) => (typeof x === 'bigint' ? x : BigInt(x));
/** A bigint as a number when it is safe (the one form of `Exact`). */
const norm = (x: bigint): Exact =>
  x >= -9_007_199_254_740_991n && x <= 9_007_199_254_740_991n ? Number(x) : x;

function classOf(zz: number): number {
  if (zz < 16) return 0;
  if (zz < 256) return 1;
  if (zz < 4096) return 2;
  if (zz < 65_536) return 3;
  if (zz < 16_777_216) return 4;
  if (zz < 4_294_967_296) return 5;
  if (zz < 281_474_976_710_656) return 6;
  return 7;
}

function classOfBig(zz: bigint): number {
  for (let c = 0; c < INT_WIDTHS.length; c++) if (zz < 1n << BigInt(INT_WIDTHS[c] as number)) return c;
  throw new RangeError('integer delta out of range');
}

/**
 * One step: the zig-zag code of `u` after `prev` (and `prevDelta`, with `dod`), and the new delta.
 * Numbers when every value is exact in a double, bigints otherwise.
 */
function step(prev: Exact, prevDelta: Exact, u: Exact, dod: boolean): { zz: Exact; delta: Exact } {
  if (typeof prev === 'number' && typeof u === 'number' && typeof prevDelta === 'number') {
    const delta = u - prev; // both in [0, 2^53): exact
    const d = dod ? delta - prevDelta : delta;
    if (d >= -HALF_SAFE && d <= HALF_SAFE) return { zz: d >= 0 ? d * 2 : -d * 2 - 1, delta };
  }
  const delta = big(u) - big(prev);
  return { zz: zigzagBig(dod ? delta - big(prevDelta) : delta), delta: norm(delta) };
}

/** Bits the integer code would take for these (unsigned) readings, as deltas or as deltas of deltas. */
export function intCost(us: readonly Exact[], dod: boolean): number {
  let bits = 64;
  let prev = us[0] as Exact;
  let prevDelta: Exact = 0;
  for (let i = 1; i < us.length; i++) {
    const cur = us[i] as Exact;
    const s = step(prev, prevDelta, cur, dod);
    const zz = s.zz;
    if (zz === 0 || zz === 0n) bits += 1;
    else bits += 4 + (INT_WIDTHS[typeof zz === 'number' ? classOf(zz) : classOfBig(zz)] as number);
    prev = cur;
    prevDelta = s.delta;
  }
  return bits;
}

/** Writes unsigned 64-bit readings (each below 2^64, in the form of `Exact`). */
export class IntEncoder {
  #prev: Exact | undefined;
  #prevDelta: Exact = 0;
  constructor(
    private readonly w: BitWriter,
    private readonly dod: boolean,
  ) {}

  put(u: Exact): void {
    const w = this.w;
    if (this.#prev === undefined) {
      if (typeof u === 'number') w.writeWide(u, 64);
      else w.writeBig(u, 64);
    } else {
      const { zz, delta } = step(this.#prev, this.#prevDelta, u, this.dod);
      this.#prevDelta = delta;
      if (zz === 0 || zz === 0n) w.write(0, 1);
      else if (typeof zz === 'number') {
        const c = classOf(zz);
        w.write(8 | c, 4);
        w.writeWide(zz, INT_WIDTHS[c] as number);
      } else {
        const c = classOfBig(zz);
        w.write(8 | c, 4);
        w.writeBig(zz, INT_WIDTHS[c] as number);
      }
    }
    this.#prev = u;
  }
}

/** Reads what an `IntEncoder` wrote: unsigned readings as numbers below 2^53, bigints above. */
export class IntDecoder {
  #prev: Exact | undefined;
  #prevDelta: Exact = 0;
  constructor(
    private readonly r: BitReader,
    private readonly dod: boolean,
  ) {}

  next(): Exact {
    const r = this.r;
    const prev = this.#prev;
    if (prev === undefined) {
      this.#prev = wide(r, 64);
      return this.#prev;
    }
    const zz: Exact = r.bit() ? wide(r, INT_WIDTHS[r.read(3)] as number) : 0;
    const prevDelta = this.#prevDelta;
    if (typeof zz === 'number' && typeof prev === 'number' && typeof prevDelta === 'number') {
      const d = zz % 2 === 1 ? -(zz + 1) / 2 : zz / 2;
      const delta = this.dod ? prevDelta + d : d;
      const u = prev + delta;
      // Exact unless a sum left the safe range (then it is redone in bigint below).
      if (Math.abs(delta) <= MAX_SAFE && u >= 0 && u <= MAX_SAFE) {
        this.#prevDelta = delta;
        this.#prev = u;
        return u;
      }
    }
    const d = unzigzagBig(big(zz));
    const delta = this.dod ? big(prevDelta) + d : d;
    const u = big(prev) + delta;
    if (u < 0n || u >= TWO_64) throw new RangeError('chunk integer out of range');
    this.#prevDelta = norm(delta);
    this.#prev = norm(u);
    return this.#prev;
  }
}

/** `n` bits as a number when below 2^53, else as a bigint (read again from the same place). */
function wide(r: BitReader, n: number): Exact {
  const at = r.mark();
  const v = r.readWide(n);
  if (v !== undefined) return v;
  r.seek(at);
  return norm(r.readBig(n));
}
