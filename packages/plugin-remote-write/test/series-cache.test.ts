import type { Sample } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { seriesLabels, wireSeries } from '../src/labels.js';
import { decodeWriteRequest, encodeWriteRequest } from '../src/proto.js';
import { emptyShard, encodeRequest, type ShardSamples } from '../src/request.js';
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
  const shard: ShardSamples = emptyShard();
  for (const s of samples) {
    shard.series.push(cache.get(s.name, s.labels, T0));
    shard.values.push(s.value as number);
    shard.timestamps.push(s.ts);
  }
  // A copy: the Writer's view is valid until its next use.
  return encodeRequest(shard, 0, samples.length).slice();
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
      { name: 'ifName', value: 'ether2' },
      { name: 'if_alias', value: 'uplink ü' },
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
    const labelsOf = (series: typeof a) =>
      decodeWriteRequest(encodeRequest({ series: [series], values: [1], timestamps: [T0] }, 0, 1))[0]?.labels;
    expect(labelsOf(renamed)).toContainEqual({ name: 'ifName', value: 'ether1-new' });
    expect(labelsOf(a)).toContainEqual({ name: 'ifName', value: 'ether1' });
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
