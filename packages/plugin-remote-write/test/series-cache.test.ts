import type { Sample } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/support/seeded-random.js';
import { seriesLabels, wireSeries } from '../src/labels.js';
import { decodeWriteRequest, encodeWriteRequest } from '../src/proto.js';
import { RequestBuffer } from '../src/request.js';
import { SeriesCache } from '../src/series-cache.js';

const T0 = Date.UTC(2026, 11, 5, 10);
const MIN = 60_000;

const sample = (
  labels: Record<string, string>,
  value: number,
  ts: number,
  name = 'if_in_octets',
): Sample => ({
  name,
  labels,
  value,
  ts,
});

/** The request the send path makes of these samples, through the cache. */
function cachedRequest(cache: SeriesCache, samples: Sample[]): Uint8Array {
  const request = new RequestBuffer(samples.length);
  for (const s of samples) request.append(cache.get(s.name, s.labels, T0), s.value as number, s.ts);
  // A copy: the buffer is reused by the next request.
  return request.bytes().slice();
}

/** The same samples encoded by protobufjs from plain objects, one series per sample, no cache. */
function uncachedRequest(samples: Sample[], external: Record<string, string>): Uint8Array {
  return encodeWriteRequest(
    samples.map((s) => ({
      labels: seriesLabels(s.name, s.labels, external),
      samples: [{ value: s.value as number, timestamp: s.ts }],
    })),
  );
}

describe('the series cache of the send path', () => {
  const samples = [
    sample({ device: 'r1', ifName: 'ether1', site: 'north' }, 1.5, T0),
    sample({ site: 'north', ifName: 'ether1', device: 'r1' }, 2, T0 + MIN),
    sample({ device: 'r1', ifName: 'ether2', 'if-alias': 'uplink ü' }, -0.25, T0 + 1),
    sample({ device: 'r2', __name__: 'ignored', empty: '' }, 2 ** 60, T0, 'sys.uptime'),
    // Timestamps off the fast path (1970, 2200): lengths counted by protobufjs.
    sample({ device: 'r3' }, 7, 12_345),
    sample({ device: 'r3' }, 8, Date.UTC(2200, 0, 1)),
  ];
  const external = { cluster: 'eu', device: 'not-this-one' };

  it('puts the same bytes on the wire as the uncached encoding, first time and cached', () => {
    const cache = new SeriesCache(external, 100, 10 * MIN);
    const want = uncachedRequest(samples, external);
    const first = cachedRequest(cache, samples);
    const again = cachedRequest(cache, samples);
    expect(Buffer.from(first).equals(Buffer.from(want))).toBe(true);
    expect(Buffer.from(again).equals(Buffer.from(want))).toBe(true);
    // And decoded by protobufjs, the same series and samples.
    expect(decodeWriteRequest(again)).toEqual(decodeWriteRequest(want));
    expect(decodeWriteRequest(again)).toHaveLength(samples.length);
    expect(decodeWriteRequest(again)[2]?.labels).toEqual([
      { name: '__name__', value: 'if_in_octets' },
      { name: 'cluster', value: 'eu' },
      { name: 'device', value: 'r1' },
      { name: 'if_alias', value: 'uplink ü' },
      { name: 'if_name', value: 'ether2' },
    ]);
  });

  it('sends zero values and timestamps explicitly: decoded, the same as the uncached encoding', () => {
    // protobufjs leaves zeros out (they decode as the default 0); the cached head writes them.
    const zeros = [
      sample({ device: 'r3' }, 0, 0),
      sample({ device: 'r3' }, 0, T0),
      sample({ device: 'r3' }, -0, T0),
    ];
    const cache = new SeriesCache(external, 100, 10 * MIN);
    const got = decodeWriteRequest(cachedRequest(cache, zeros));
    expect(got).toEqual(decodeWriteRequest(uncachedRequest(zeros, external)));
    expect(got.map((s) => s.samples)).toEqual([
      [{ value: 0, timestamp: 0 }],
      [{ value: 0, timestamp: T0 }],
      [{ value: -0, timestamp: T0 }],
    ]);
  });

  it('makes a new series when a label or the name changes, and reuses it otherwise', () => {
    const cache = new SeriesCache({}, 100, 10 * MIN);
    const a = cache.get('m', { device: 'r1', ifName: 'ether1' }, T0);
    expect(cache.get('m', { device: 'r1', ifName: 'ether1' }, T0)).toBe(a);
    // Another key order is the same series, with the same bytes.
    const reordered = cache.get('m', { ifName: 'ether1', device: 'r1' }, T0);
    expect(Buffer.from(reordered.bytes).equals(Buffer.from(a.bytes))).toBe(true);
    const renamed = cache.get('m', { device: 'r1', ifName: 'ether1-new' }, T0);
    expect(renamed).not.toBe(a);
    const labelsOf = (series: typeof a) => {
      const request = new RequestBuffer(1);
      request.append(series, 1, T0);
      return decodeWriteRequest(request.bytes())[0]?.labels;
    };
    expect(labelsOf(renamed)).toContainEqual({ name: 'if_name', value: 'ether1-new' });
    expect(labelsOf(a)).toContainEqual({ name: 'if_name', value: 'ether1' });
    expect(cache.get('m2', { device: 'r1', ifName: 'ether1' }, T0)).not.toBe(a);
    expect(cache.get('m', { device: 'r1', ifName: 'ether1', extra: 'x' }, T0)).not.toBe(a);
    expect(cache.get('m', { device: 'r1' }, T0)).not.toBe(a);
    // Label keys swapped between values: another series, though the same strings.
    const x = cache.get('m', { a: 'b', c: 'd' }, T0);
    expect(cache.get('m', { a: 'd', c: 'b' }, T0)).not.toBe(x);
    // The sample's labels object changed after the write does not change what was cached.
    const labels: Record<string, string> = { device: 'r9' };
    const r9 = cache.get('m', labels, T0);
    labels.device = 'r10';
    expect(cache.get('m', labels, T0)).not.toBe(r9);
    expect(cache.get('m', { device: 'r9' }, T0)).toBe(r9);
  });

  it('keeps the hash the shards are picked by', () => {
    const cache = new SeriesCache({}, 100, 10 * MIN);
    const labels = { device: 'r1', ifName: 'ether1' };
    expect(cache.get('m', labels, T0).hash).toBe(wireSeries('m', labels, {}).hash);
  });

  it('evicts series not written for the idle time, and holds at most its limit', () => {
    const cache = new SeriesCache({}, 3, 10 * MIN);
    const r1 = cache.get('m', { device: 'r1' }, T0);
    cache.get('m', { device: 'r2' }, T0);
    cache.get('m', { device: 'r3' }, T0);
    // Full: a fourth series is encoded but not kept.
    const r4 = cache.get('m', { device: 'r4' }, T0);
    expect(cache.size).toBe(3);
    expect(cache.get('m', { device: 'r4' }, T0)).not.toBe(r4);
    // r1 written again at +8 min; r2 and r3 idle since T0.
    expect(cache.get('m', { device: 'r1' }, T0 + 8 * MIN)).toBe(r1);
    cache.sweep(T0 + 9 * MIN);
    expect(cache.size).toBe(3);
    // Within a quarter of the idle time of the last sweep: no walk yet.
    cache.sweep(T0 + 11 * MIN);
    expect(cache.size).toBe(3);
    cache.sweep(T0 + 12 * MIN);
    expect(cache.size).toBe(1);
    expect(cache.get('m', { device: 'r1' }, T0 + 12 * MIN)).toBe(r1);
    expect(cache.get('m', { device: 'r2' }, T0 + 12 * MIN)).not.toBe(r1);
    expect(cache.size).toBe(2);
    // Twenty minutes on, only the series written since stay.
    cache.get('m', { device: 'r5' }, T0 + 30 * MIN);
    cache.sweep(T0 + 30 * MIN);
    expect(cache.size).toBe(1);
  });
});

/**
 * Samples whose identities are as close to each other as can be: few names, keys and values, so
 * label sets differ by one value, one key, key order, a swapped key and value; values as fresh
 * string objects or shared ones, label objects shared by consecutive samples or not.
 */
function nearSamples(rand: () => number, n: number): Sample[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const keys = ['device', 'ifName', 'site', 'a', 'b', '__proto__', '1'] as const;
  const values = ['r1', 'r2', 'ether1', 'a', 'b', 'ü', '1', ''] as const;
  const out: Sample[] = [];
  let shared: Record<string, string> | undefined;
  for (let i = 0; i < n; i++) {
    if (shared === undefined || rand() < 0.5) {
      shared = {};
      const count = Math.floor(rand() * 4);
      for (let j = 0; j < count; j++) {
        const v = pick(values);
        // A copy made at run time: the same text in another string object, as after a worker's message.
        shared[pick(keys)] = rand() < 0.5 ? v : Buffer.from(v).toString();
      }
    }
    const ts = T0 + i;
    out.push(sample(shared, i + 0.5, ts, pick(['m', 'n', 'mm', 'm:n'])));
  }
  return out;
}

describe('the series cache never sends a sample under another series', () => {
  for (const [what, mask] of [
    ['with its hash', 0xffffffff],
    ['with every label set hashed alike', 0],
  ] as const) {
    it(`gives each of many near-identical samples its own series' bytes, ${what}`, () => {
      const rand = seededRandom(23); // the same cases every run
      const cache = new SeriesCache({ cluster: 'eu' }, 1_000, 10 * MIN, mask);
      for (let round = 0; round < 5; round++) {
        const samples = nearSamples(rand, 400);
        const got = cachedRequest(cache, samples);
        expect(Buffer.from(got).equals(Buffer.from(uncachedRequest(samples, { cluster: 'eu' })))).toBe(true);
      }
      expect(cache.size).toBeGreaterThan(50);
    });
  }

  it('tells apart consecutive samples whose labels differ in one value, one key or key order', () => {
    const cache = new SeriesCache({}, 100, 10 * MIN, 0);
    const samples = [
      sample({ device: 'r1', ifName: 'ether1' }, 1, T0),
      sample({ device: 'r1', ifName: 'ether2' }, 2, T0),
      sample({ device: 'r1', ifName: 'ether2', site: 'x' }, 3, T0),
      sample({ device: 'r1', site: 'ether2' }, 4, T0),
      sample({ ifName: 'ether1', device: 'r1' }, 5, T0),
      sample({ device: 'r1' }, 6, T0),
      sample({}, 7, T0),
      sample({ device: 'r1', ifName: 'ether1' }, 8, T0),
    ];
    const want = uncachedRequest(samples, {});
    expect(Buffer.from(cachedRequest(cache, samples)).equals(Buffer.from(want))).toBe(true);
    expect(Buffer.from(cachedRequest(cache, samples)).equals(Buffer.from(want))).toBe(true);
  });

  it('sends what a label object holds now, though the same object was written before with other values', () => {
    const cache = new SeriesCache({}, 100, 10 * MIN);
    const labels: Record<string, string> = { device: 'r1', ifName: 'ether1' };
    const first = [sample(labels, 1, T0), sample(labels, 2, T0, 'n')];
    expect(decodeWriteRequest(cachedRequest(cache, first))[1]?.labels).toContainEqual({
      name: 'if_name',
      value: 'ether1',
    });
    labels.ifName = 'ether2';
    const second = [sample(labels, 1, T0), sample(labels, 2, T0, 'n')];
    expect(Buffer.from(cachedRequest(cache, second)).equals(Buffer.from(uncachedRequest(second, {})))).toBe(
      true,
    );
    delete labels.ifName;
    const third = [sample(labels, 1, T0)];
    expect(Buffer.from(cachedRequest(cache, third)).equals(Buffer.from(uncachedRequest(third, {})))).toBe(
      true,
    );
  });

  it('sends a label value that is not a string as text, uncached, beside the same text as a string', () => {
    const cache = new SeriesCache({}, 100, 10 * MIN);
    const odd = { device: 'r1', port: 8 } as unknown as Record<string, string>;
    const samples = [sample(odd, 1, T0), sample({ device: 'r1', port: '8' }, 2, T0), sample(odd, 3, T0)];
    const got = decodeWriteRequest(cachedRequest(cache, samples));
    expect(got.map((s) => s.labels)).toEqual(Array(3).fill(got[1]?.labels));
    expect(got[0]?.labels).toContainEqual({ name: 'port', value: '8' });
    expect(cache.size).toBe(1);
  });
});
