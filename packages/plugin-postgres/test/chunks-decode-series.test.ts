import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/support/seeded-random.js';
import {
  type ChunkSamples,
  chunkCount,
  decodeChunk,
  decodeChunkInto,
  encodeChunk,
} from '../src/chunks/codec.js';
import { decodeBySeries } from '../src/chunks/decode-series.js';
import { mergeSamples } from '../src/chunks/samples.js';
import { encodeWindow, type StoredChunk } from '../src/chunks/times.js';
import type { Queryable } from '../src/db/types.js';

// Decoding a series' chunks into one set of arrays (a day's merge, every read of a day) must give
// exactly what decoding each chunk and joining them gave: same samples, same winner at a time
// two chunks share, shared poll times resolved.

const MIN = 60_000;
const WINDOW = 2 * 3_600_000;

/** One window of a counter, a gauge with nulls for raws, and a status, from `start`. */
function window(r: () => number, start: number, n: number, counterAt: number): ChunkSamples[] {
  const ts = Array.from({ length: n }, (_, i) => start + i * MIN + Math.floor(r() * 100));
  let c = counterAt;
  const counter: ChunkSamples = { ts: [...ts], values: [], raws: [] };
  for (let i = 0; i < n; i++) {
    c += Math.floor(r() * 5e6);
    counter.values.push(c);
    counter.raws.push(c);
  }
  const gauge: ChunkSamples = { ts: [...ts], values: ts.map(() => r()), raws: ts.map(() => null) };
  const status: ChunkSamples = { ts: [...ts], values: ts.map(() => 1), raws: ts.map(() => 1) };
  return [counter, gauge, status];
}

/** A Queryable that answers the shared-times query from `times` (and fails on anything else). */
function timesDb(times: Array<{ id: number; start: number; data: Uint8Array }>): Queryable {
  return {
    query: async <R>(sql: string) => {
      if (!sql.includes('ispm_chunk_times')) throw new Error(`unexpected query ${sql}`);
      return {
        rows: times.map((t) => ({ series_id: t.id, s: t.start, data: t.data })) as R[],
        rowCount: times.length,
      };
    },
  };
}

const joined = (parts: ChunkSamples[]) =>
  parts.reduce<ChunkSamples>((a, b) => mergeSamples(a, b), { ts: [], values: [], raws: [] });

describe('decoding a series’ chunks into one set of arrays', () => {
  it('decodeChunkInto writes at an offset exactly what decodeChunk returns, and refuses what does not fit', () => {
    const r = seededRandom(7);
    const parts = window(r, Date.UTC(2030, 0, 7), 120, 1e12);
    const bytes = parts.map((p) => encodeChunk(p));
    const total = bytes.reduce((n, b) => n + chunkCount(b), 0);
    expect(total).toBe(360);
    const out: ChunkSamples = { ts: new Array(total), values: new Array(total), raws: new Array(total) };
    let at = 0;
    for (const b of bytes) at += decodeChunkInto(b, undefined, out, at);
    const one = bytes.map((b) => decodeChunk(b));
    expect(out.ts).toEqual(one.flatMap((d) => d.ts));
    expect(out.values).toEqual(one.flatMap((d) => d.values));
    expect(out.raws).toEqual(one.flatMap((d) => d.raws));
    expect(() => decodeChunkInto(bytes[0] as Uint8Array, undefined, out, total - 10)).toThrow(RangeError);
    expect(() => chunkCount(new Uint8Array([9, 1]))).toThrow(RangeError);
  });

  it('joins consecutive windows with shared times, and overlapping chunks with the earlier start winning', async () => {
    const r = seededRandom(11);
    const day = Date.UTC(2030, 0, 7);
    const stored: StoredChunk[] = [];
    const times: Array<{ id: number; start: number; data: Uint8Array }> = [];
    const expected = new Map<number, ChunkSamples[]>();
    // Series 1–3 of one device over three windows, their times shared.
    for (let w = 0; w < 3; w++) {
      const start = day + w * WINDOW;
      const parts = window(r, start, 120, 1e12 + w * 1e9);
      const bySeries = new Map(parts.map((p, i) => [i + 1, p]));
      const enc = encodeWindow(
        bySeries,
        new Map([...bySeries.keys()].map((id) => [id, 'r1'])),
        new Set(),
        new Set(),
      );
      expect(enc.times.length).toBe(1);
      for (const t of enc.times) times.push({ id: t.id, start, data: t.data });
      for (const [id, p] of bySeries) {
        stored.push({ series_id: id, start, data: enc.data.get(id) as Uint8Array });
        expected.set(id, [...(expected.get(id) ?? []), p]);
      }
    }
    // Series 9: a merged day's chunk and a late window chunk inside it, one time in common.
    const dayPart = window(r, day, 300, 5e9)[0] as ChunkSamples;
    const late: ChunkSamples = {
      ts: [dayPart.ts[10] as number, (dayPart.ts[10] as number) + 1],
      values: [1, 2],
      raws: [1, 2],
    };
    stored.push({ series_id: 9, start: day, data: encodeChunk(dayPart) });
    stored.push({ series_id: 9, start: day + WINDOW, data: encodeChunk(late) });
    stored.sort((a, b) => a.series_id - b.series_id || a.start - b.start);

    const got = await decodeBySeries(timesDb(times), stored);
    expect([...got.keys()]).toEqual([1, 2, 3, 9]);
    for (const [id, parts] of expected) expect(got.get(id)).toEqual(joined(parts));
    const nine = got.get(9) as ChunkSamples;
    expect(nine).toEqual(mergeSamples(dayPart, late));
    // The day's reading wins at the time both hold; the late one-off reading is kept beside it.
    expect(nine.ts.length).toBe(301);
    expect(nine.values[10]).toBe(dayPart.values[10]);
  });
});
