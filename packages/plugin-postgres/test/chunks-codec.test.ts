import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/support/seeded-random.js';
import {
  type ChunkSamples,
  decodeChunk,
  type Exact,
  encodeChunk,
  exact,
  sharedTimesOf,
} from '../src/chunks/codec.js';
import { decodeTimes, encodeTimes, encodeWindow } from '../src/chunks/times.js';

// Property tests with our own seeded generator: every failure prints its seed, and a run is
// reproducible. Equality is by bit pattern (NaN payloads and -0 included), raw by value — and a
// decoded raw is in its one form (a number when it is a safe integer, a bigint otherwise).

const TWO_63 = 2n ** 63n;
const TWO_64 = 2n ** 64n;
const view = new DataView(new ArrayBuffer(8));
const bits = (v: number) => {
  view.setFloat64(0, v);
  return view.getBigUint64(0);
};
const fromBits = (b: bigint) => {
  view.setBigUint64(0, b);
  return view.getFloat64(0);
};
const pattern = (u: bigint) => (u >= TWO_63 ? u - TWO_64 : u);

const SPECIAL = [
  Number.NaN,
  fromBits(0x7ff8_0000_dead_beefn),
  fromBits(0xfff0_0000_0000_0001n),
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  0,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  Number.MAX_VALUE,
  Number.EPSILON,
  1e-300,
  0.1,
];

type Gen = () => number;
function randU64(r: Gen): bigint {
  const width = BigInt(1 + Math.floor(r() * 64));
  const big = (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32));
  return big & ((1n << width) - 1n);
}

function timestamps(r: Gen, n: number): number[] {
  const style = Math.floor(r() * 5);
  const out: number[] = [];
  let t = style === 4 ? -86_400_000 * 400 + Math.floor(r() * 1e6) : 1_764_900_000_000 + Math.floor(r() * 1e9);
  for (let i = 0; i < n; i++) {
    out.push(style === 3 ? t + Math.floor(r() * 1000) / 1000 : t);
    if (style === 0) t += 60_000;
    else if (style === 1) t += 60_000 + Math.floor(r() * 400) - 200;
    else if (style === 2) t += 1 + Math.floor(r() ** 4 * 86_400_000 * 30);
    else t += 1 + Math.floor(r() * 5000);
  }
  return out;
}

function samples(r: Gen): ChunkSamples {
  const n = r() < 0.1 ? Math.floor(r() * 2) : Math.floor(r() * 300);
  const ts = timestamps(r, n);
  const values: number[] = [];
  const raws: Array<bigint | null> = [];
  const kind = Math.floor(r() * 4);
  let counter = r() < 0.2 ? TWO_64 - 1n - BigInt(Math.floor(r() * 1000)) : randU64(r);
  let gauge = r() * 100;
  for (let i = 0; i < n; i++) {
    if (kind === 0 || (kind === 3 && r() < 0.5)) {
      // Exact counters: steady rates, resets, 32-bit wraps, jumps anywhere in [0, 2^64).
      const p = r();
      if (p < 0.05) counter = 0n;
      else if (p < 0.1) counter = randU64(r);
      else if (p < 0.15) counter = TWO_64 - 1n;
      else counter = (counter + BigInt(Math.floor(r() * 2 ** (r() * 40)))) % TWO_64;
      values.push(Number(counter));
      raws.push(pattern(counter));
    } else if (kind === 1 || kind === 3) {
      const p = r();
      if (p < 0.15) gauge = SPECIAL[Math.floor(r() * SPECIAL.length)] as number;
      else if (p < 0.2) gauge = fromBits(randU64(r));
      else if (p < 0.6) gauge += r() - 0.5;
      values.push(gauge);
      // Integer readings may carry an exact value; a mismatching one must survive too.
      raws.push(kind === 3 && r() < 0.1 ? randU64(r) - TWO_63 : null);
    } else {
      // Statuses: small integers that rarely change.
      if (r() < 0.05) gauge = Math.floor(r() * 7);
      const v = Math.floor(Math.abs(gauge)) % 7;
      values.push(v);
      raws.push(BigInt(v));
    }
  }
  return { ts, values, raws };
}

function expectSame(a: ChunkSamples, b: ChunkSamples, seed: number): void {
  expect(b.ts.length, `seed ${seed}`).toBe(a.ts.length);
  for (let i = 0; i < a.ts.length; i++) {
    if (b.ts[i] !== a.ts[i]) expect(b.ts[i], `seed ${seed} ts ${i}`).toBe(a.ts[i]);
    if (bits(b.values[i] as number) !== bits(a.values[i] as number))
      expect(bits(b.values[i] as number), `seed ${seed} value ${i}`).toBe(bits(a.values[i] as number));
    const want = a.raws[i] ?? null;
    const got = b.raws[i] ?? null;
    if ((got === null ? null : BigInt(got)) !== (want === null ? null : BigInt(want)))
      expect(got, `seed ${seed} raw ${i}`).toBe(want);
    if (got !== null && got !== exact(got)) expect(typeof got, `seed ${seed} raw ${i} form`).toBe('number');
  }
}

/** The same samples with the exact readings in their one form (numbers where safe), as reads give them. */
const asNumbers = (s: ChunkSamples): ChunkSamples => ({
  ...s,
  raws: s.raws.map((r) => (r === null ? null : exact(r as Exact))),
});

describe('chunk codec', () => {
  it('round-trips random series exactly (1,000 seeds), with readings as bigints or in their one form', () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const s = samples(seededRandom(seed));
      const bytes = encodeChunk(s);
      expectSame(s, decodeChunk(bytes), seed);
      expect(Buffer.from(encodeChunk(asNumbers(s))).equals(bytes), `seed ${seed}`).toBe(true);
    }
  });

  it('writes the bytes the first encoder wrote (format 1: chunks stored earlier stay readable)', () => {
    // SHA-256 of the encodings below, computed with the encoder of commit 98d8bd7 (bigint arithmetic).
    const h = createHash('sha256');
    for (let seed = 1; seed <= 1000; seed++) {
      const s = samples(seededRandom(seed));
      h.update(encodeChunk(s));
      h.update(encodeChunk(s, seed));
      h.update(encodeTimes(s.ts));
    }
    expect(h.digest('hex')).toBe('af7e88af6ea999e3f3daa261c668d4a7aa94cce35dbcc18268cfb441dad6a357');
  });

  it('round-trips the edge cases one by one', () => {
    const t0 = 1_764_900_000_000;
    const cases: ChunkSamples[] = [
      { ts: [], values: [], raws: [] },
      { ts: [t0], values: [Number.NaN], raws: [null] },
      { ts: [t0], values: [Number(TWO_64 - 1n)], raws: [-1n] },
      { ts: [t0, t0 + 1], values: [0, Number(TWO_64 - 1n)], raws: [0n, -1n] },
      { ts: [t0, t0 + 1], values: [Number(TWO_64 - 1n), 0], raws: [-1n, 0n] },
      { ts: [t0, t0 + 60_000, t0 + 120_000], values: [-0, 0, -0], raws: [null, 0n, null] },
      // -0 with an exact 0 (what the writer stores for a reading of -0).
      { ts: [t0, t0 + 60_000], values: [-0, 0], raws: [0n, 0n] },
      { ts: [0, Number.MAX_SAFE_INTEGER], values: [1, 2], raws: [1n, 2n] },
      { ts: [-Number.MAX_SAFE_INTEGER, 0, 1], values: SPECIAL.slice(0, 3), raws: [null, null, null] },
      { ts: SPECIAL.map((_, i) => t0 + i), values: SPECIAL, raws: SPECIAL.map(() => null) },
    ];
    cases.forEach((c, i) => {
      expectSame(c, decodeChunk(encodeChunk(c)), -i);
    });
  });

  it('stores a regular counter and a constant status in a few bits per sample', () => {
    const n = 120;
    const ts = Array.from({ length: n }, (_, i) => 1_764_900_000_000 + i * 60_000);
    let c = 10n ** 12n;
    const raws = ts.map(() => {
      c += 750_000_000n + BigInt(Math.floor(Math.sin(c.toString().length) * 1000));
      return c;
    });
    const counter = encodeChunk({ ts, values: raws.map(Number), raws });
    const status = encodeChunk({ ts, values: ts.map(() => 1), raws: ts.map(() => 1n) });
    expect(counter.length / n).toBeLessThan(2);
    // Two bits a sample (time and value unchanged) plus the first sample in full.
    expect(status.length / n).toBeLessThan(0.5);
  });

  it('rejects corrupt bytes with a RangeError, never anything else', () => {
    const r = seededRandom(99);
    const good = encodeChunk(samples(seededRandom(7)));
    expect(() => decodeChunk(good.slice(0, Math.floor(good.length / 2)))).toThrow(RangeError);
    expect(() => decodeChunk(new Uint8Array([9, 1]))).toThrow(/version/);
    for (let i = 0; i < 500; i++) {
      const junk = Uint8Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256));
      junk[0] = 1;
      try {
        decodeChunk(junk);
      } catch (err) {
        expect(err).toBeInstanceOf(RangeError);
      }
    }
  });

  it('round-trips values whose times are stored apart (1,000 seeds), and refuses missing or wrong times', () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const s = samples(seededRandom(seed));
      const bytes = encodeChunk(s, seed);
      expect(sharedTimesOf(bytes), `seed ${seed}`).toBe(s.ts.length === 0 ? undefined : seed);
      const times = decodeTimes(encodeTimes(s.ts));
      expectSame(s, decodeChunk(bytes, times), seed);
      if (s.ts.length > 0) {
        expect(() => decodeChunk(bytes)).toThrow(RangeError);
        expect(() => decodeChunk(bytes, times.slice(1))).toThrow(RangeError);
      }
    }
    expect(sharedTimesOf(encodeChunk(samples(seededRandom(3))))).toBeUndefined();
  });

  it('shares the times of one device polled together, never across devices or with a re-opened chunk', () => {
    const ts = [1_764_900_000_000, 1_764_900_060_041, 1_764_900_120_007];
    const s = (v: number, t = ts): ChunkSamples => ({
      ts: t,
      values: t.map(() => v),
      raws: t.map(() => null),
    });
    const other = [ts[0] as number, ts[1] as number, (ts[2] as number) + 1];
    const bySeries = new Map([
      [5, s(1)],
      [3, s(2)],
      [9, s(3, other)],
      [4, s(4)],
      [7, s(5)],
      [8, s(6)],
      [2, s(7)],
    ]);
    const device = new Map<number, string | null>([
      [5, 'a'],
      [3, 'a'],
      [9, 'a'],
      [4, 'a'],
      [7, 'b'],
      [8, 'b'],
      [2, null],
    ]);
    // 4 was re-opened; device b's smallest id (7) already has times stored for the window.
    const w = encodeWindow(bySeries, device, new Set([4]), new Set([7]));
    expect(w.times.map((t) => t.id)).toEqual([3]);
    expect(decodeTimes(w.times[0]?.data as Uint8Array)).toEqual(ts);
    const anchors = Object.fromEntries([...w.data].map(([id, b]) => [id, sharedTimesOf(b) ?? null]));
    expect(anchors).toEqual({ 5: 3, 3: 3, 9: null, 4: null, 7: null, 8: null, 2: null });
    expectSame(s(1), decodeChunk(w.data.get(5) as Uint8Array, ts), 0);
    expectSame(s(3, other), decodeChunk(w.data.get(9) as Uint8Array), 0);
  });

  it('refuses columns of different lengths and unsafe timestamps', () => {
    expect(() => encodeChunk({ ts: [1], values: [], raws: [] })).toThrow(RangeError);
    expect(() => encodeChunk({ ts: [2 ** 60], values: [1], raws: [null] })).toThrow(RangeError);
  });
});
