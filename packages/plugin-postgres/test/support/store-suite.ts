/**
 * The storage behaviour both engines must show, run once against PGlite and once against a real
 * PostgreSQL 15. Tests share one database per file and use distinct devices, so they run in order.
 */
import { counterDelta, type Sample } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/types.js';
import { applyMigrations, schemaVersion } from '../../src/schema/migrate.js';
import { listPartitionNames, ROLLUP_5M, SAMPLES } from '../../src/schema/partitions.js';
import { count, DAY, HOUR, MIN, makeStorage, SetClock, series, T0 } from './harness.js';

const IN = 'interface_in_octets_total';
/** The row layout's own rollup rounds (with chunks, compaction rolls up: chunks-*.test.ts). */
const ROWS = { chunks: { enabled: false } };

/**
 * The hourly increases of a counter read `perHour` times an hour from `from`, in JS from the
 * raw readings with core's counter rule: what a rollup query must answer.
 */
function hourlyIncreases(values: number[], from: number, perHour: number, hours: number): number[][] {
  return [...Array(hours).keys()].map((h) => {
    let sum = 0;
    for (let i = h * perHour; i < (h + 1) * perHour; i++)
      if (i > 0) sum += counterDelta(values[i - 1] as number, values[i] as number);
    return [from + h * HOUR, sum];
  });
}

export function storeSuite(getDb: () => Promise<Db>): void {
  describe('migrations', () => {
    it('apply from an empty database, then re-running is a no-op', async () => {
      const db = await getDb();
      expect(await schemaVersion(db)).toBe(0);
      expect(await applyMigrations(db)).toEqual({ applied: [1, 2, 3, 4, 5, 6, 7, 8], version: 8 });
      expect(await schemaVersion(db)).toBe(8);
      expect(await applyMigrations(db)).toEqual({ applied: [], version: 8 });
      expect(await count(db, 'ispm_schema_migrations')).toBe(8);
    });
  });

  describe('ingest and exact values', () => {
    it('stores 64-bit counters exactly, including 2^63+5 and 2^64-1', async () => {
      const db = await getDb();
      const clock = new SetClock(T0 + HOUR);
      const { storage } = makeStorage(db, clock);
      const values = [0n, 1n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 63n + 5n, 2n ** 64n - 1n];
      const batch = series(IN, { device: 'exact', ifName: 'ether1' }, T0, MIN, values);
      batch.push({
        name: 'device_temperature_celsius',
        labels: { device: 'exact', sensor: 'cpu' },
        value: -3.25,
        ts: T0,
      });
      batch.push({ name: 'device_cpu_load_ratio', labels: { device: 'exact' }, value: 0.1, ts: T0 });
      const out = await storage.write(batch);
      expect(out).toMatchObject({ accepted: 9, rejected: {} });
      const back = await storage.rawSamples(IN, { device: 'exact' }, T0, T0 + HOUR);
      expect(back.map((s) => s.value)).toEqual([
        0,
        1,
        2n ** 53n + 1n,
        2n ** 63n - 1n,
        2n ** 63n,
        2n ** 63n + 5n,
        2n ** 64n - 1n,
      ]);
      expect(back.map((s) => s.ts)).toEqual(batch.slice(0, 7).map((s) => s.ts));
      const [latest] = await storage.latest(IN, { device: 'exact', ifName: 'ether1' });
      expect(latest?.value).toBe(2n ** 64n - 1n);
      expect((await storage.latest('device_temperature_celsius', { device: 'exact' }))[0]?.value).toBe(-3.25);
      expect((await storage.latest('device_cpu_load_ratio', { device: 'exact' }))[0]?.value).toBe(0.1);
      // The increase across 2^63+5 -> 2^64-1 is computed exactly in SQL.
      const [inc] = await storage.range({
        name: IN,
        labels: { device: 'exact' },
        from: T0 + 5 * MIN,
        to: T0 + 6 * MIN,
        step: 2 * MIN,
        fn: 'increase',
      });
      expect(inc?.points).toEqual([[T0 + 5 * MIN, Number(2n ** 64n - 1n - (2n ** 63n + 5n))]]);
    });

    it('is idempotent: a retried or overlapping batch never duplicates rows', async () => {
      const db = await getDb();
      const { storage, registry } = makeStorage(db, new SetClock(T0 + HOUR));
      const batch = series(
        IN,
        { device: 'idem', ifName: 'e1' },
        T0,
        10_000,
        [...Array(50).keys()].map((i) => i * 1000),
      );
      expect((await storage.write(batch)).deduplicated).toBe(false);
      expect((await storage.write(batch)).deduplicated).toBe(true);
      const overlap = series(
        IN,
        { device: 'idem', ifName: 'e1' },
        T0 + 250_000,
        10_000,
        [...Array(50).keys()].map((i) => 25_000 + i * 1000),
      );
      await storage.write(overlap);
      const rows = await storage.rawSamples(IN, { device: 'idem' }, T0, T0 + DAY);
      expect(rows).toHaveLength(75);
      expect(new Set(rows.map((r) => r.ts)).size).toBe(75);
      expect(await registry.getSingleMetricAsString('ispmonitor_db_dedup_batches_total')).toMatch(/ 2$/m);
    });

    it('a batch of many COPY pieces round-trips exactly; labels in another order are the same series', async () => {
      const db = await getDb();
      const { storage } = makeStorage(db, new SetClock(T0 + HOUR));
      // 200 series × 30 readings = 6,000 rows: several pieces of the streamed COPY.
      const batch: Sample[] = [];
      for (let r = 0; r < 30; r++)
        for (let i = 0; i < 200; i++)
          batch.push({
            name: IN,
            labels: r % 2 ? { ifName: `p${i}`, device: 'pieces' } : { device: 'pieces', ifName: `p${i}` },
            value: i === 0 ? 2n ** 64n - 1n - BigInt(30 - r) : i * 1_000_000 + r,
            ts: T0 + r * MIN + (i % 7),
          });
      expect(await storage.write(batch)).toMatchObject({ accepted: 6000, rejected: {}, deduplicated: false });
      const back = await storage.rawSamples(IN, { device: 'pieces' }, T0, T0 + HOUR);
      expect(back).toHaveLength(6000);
      const key = (s: Sample) => `${s.labels.ifName}@${s.ts}`;
      const want = new Map(batch.map((s) => [key(s), s.value]));
      for (const s of back) expect(s.value).toBe(want.get(key(s)));
      const ids = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM ispm_series WHERE device = 'pieces'",
      );
      expect(ids.rows[0]?.n).toBe(200);
      // The whole batch again: nothing stored twice.
      expect((await storage.write(batch)).deduplicated).toBe(true);
      expect(await storage.rawSamples(IN, { device: 'pieces' }, T0, T0 + HOUR)).toHaveLength(6000);
    });

    it('rejects what can never be stored, counts it, and keeps the rest', async () => {
      const db = await getDb();
      const clock = new SetClock(T0 + 2 * DAY);
      const { storage, registry } = makeStorage(db, clock, { retention: { raw: '1d' } });
      const ok: Sample = { name: 'device_up', labels: { device: 'rej' }, value: 1, ts: T0 + 2 * DAY };
      const out = await storage.write([
        ok,
        { ...ok, ts: T0 }, // older than raw retention
        { ...ok, ts: T0 + 10 * DAY }, // far future
        { ...ok, ts: T0 + 2 * DAY + 1, value: Number.NaN },
        { ...ok, ts: T0 + 2 * DAY + 2, value: 2n ** 64n },
        { name: '', labels: {}, value: 1, ts: 0 } as Sample,
        null as unknown as Sample,
      ]);
      expect(out.accepted).toBe(1);
      expect(out.rejected).toEqual({ too_old: 1, too_new: 1, value: 2, malformed: 2 });
      expect(await registry.getSingleMetricAsString('ispmonitor_db_samples_rejected_total')).toMatch(
        /reason="value"} 2/,
      );
    });

    it('keeps hostile label values as data, never as SQL', async () => {
      const db = await getDb();
      const { storage } = makeStorage(db, new SetClock(T0 + HOUR));
      const labels = { device: "x'); DROP TABLE ispm_series; --", ifName: 'tab\tnew\nline\\back' };
      await storage.write([{ name: IN, labels, value: 5, ts: T0 }]);
      const [s] = await storage.latest(IN, labels);
      expect(s?.labels).toEqual(labels);
      expect(await count(db, 'ispm_series')).toBeGreaterThan(0);
    });
  });

  describe('queries', () => {
    const wrapValues = [4294967000, 4294967200, 100, 300, 50, 250];
    it('rate and increase handle a 32-bit wrap and a reset, never negative', async () => {
      const db = await getDb();
      const { storage } = makeStorage(db, new SetClock(T0 + HOUR));
      await storage.write(series(IN, { device: 'wrap', ifName: 'e1' }, T0, MIN, wrapValues));
      // Expected from core's own counter rule (an independent implementation, in JS).
      let total = 0;
      for (let i = 1; i < wrapValues.length; i++)
        total += counterDelta(wrapValues[i - 1] as number, wrapValues[i] as number);
      expect(total).toBe(200 + 196 + 200 + 50 + 200);
      const [inc] = await storage.range({
        name: IN,
        labels: { device: 'wrap' },
        from: T0,
        to: T0 + 5 * MIN,
        step: 6 * MIN,
        fn: 'increase',
      });
      expect(inc?.points).toEqual([[T0, total]]);
      const [rate] = await storage.range({
        name: IN,
        labels: { device: 'wrap' },
        from: T0 + MIN,
        to: T0 + 5 * MIN,
        step: MIN,
        fn: 'rate',
      });
      expect(rate?.points.map((p) => p[1])).toEqual([200 / 60, 196 / 60, 200 / 60, 50 / 60, 200 / 60]);
      expect(rate?.points.every((p) => p[1] >= 0)).toBe(true);
    });

    it('aggregates gauges per step: avg, min, max, last, raw', async () => {
      const db = await getDb();
      const { storage } = makeStorage(db, new SetClock(T0 + HOUR));
      const vals = [0.1, 0.5, 0.3, 0.9, 0.2, 0.4];
      await storage.write(series('device_cpu_load_ratio', { device: 'agg' }, T0, MIN, vals));
      const q = {
        name: 'device_cpu_load_ratio',
        labels: { device: 'agg' },
        from: T0,
        to: T0 + 5 * MIN,
        step: 3 * MIN,
      };
      const get = async (fn: 'avg' | 'min' | 'max' | 'last' | 'raw') =>
        (await storage.range({ ...q, fn }))[0]?.points;
      expect((await get('avg'))?.map((p) => p[1])).toEqual(
        [(0.1 + 0.5 + 0.3) / 3, (0.9 + 0.2 + 0.4) / 3].map((x) => expect.closeTo(x, 12)),
      );
      expect(await get('min')).toEqual([
        [T0, 0.1],
        [T0 + 3 * MIN, 0.2],
      ]);
      expect(await get('max')).toEqual([
        [T0, 0.5],
        [T0 + 3 * MIN, 0.9],
      ]);
      expect(await get('last')).toEqual([
        [T0, 0.3],
        [T0 + 3 * MIN, 0.4],
      ]);
      expect((await get('raw'))?.map((p) => p[1])).toEqual(vals);
    });

    it('top-N: busiest interfaces and highest CPU', async () => {
      const db = await getDb();
      const now = T0 + 2 * HOUR;
      const { storage } = makeStorage(db, new SetClock(now));
      const batch: Sample[] = [];
      for (const [dev, perMin] of [
        ['topa', 6000],
        ['topb', 60_000],
        ['topc', 600],
      ] as const) {
        // In and out alike: a counter rising by perMin octets a minute over the last 30 minutes.
        const octets = [...Array(31).keys()].map((i) => i * perMin);
        for (const name of [IN, 'interface_out_octets_total'])
          batch.push(...series(name, { device: dev, ifName: 'wan' }, now - 30 * MIN, MIN, octets));
        batch.push(
          ...series(
            'device_cpu_load_ratio',
            { device: dev },
            now - 30 * MIN,
            MIN,
            Array(31).fill(perMin / 100_000),
          ),
        );
      }
      await storage.write(batch);
      const busiest = await storage.busiestInterfaces(30 * MIN, 2);
      expect(busiest.map((r) => [r.device, r.ifName])).toEqual([
        ['topb', 'wan'],
        ['topa', 'wan'],
      ]);
      // in + out, octets to bits: 2 * 60,000 B/min = 2,000 B/s = 16,000 bit/s.
      expect(busiest[0]?.value).toBeCloseTo(16_000, 6);
      const cpu = await storage.highestCpu(30 * MIN, 1);
      expect(cpu).toEqual([{ device: 'topb', value: expect.closeTo(0.6, 9) }]);
    });
  });

  describe('rollups and retention on fake time', () => {
    const dev = { device: 'roll', ifName: 'e1' };
    const start = T0 + 10 * DAY;
    /** The counter's increase hour by hour over the 9 hours (the rollups can answer it). */
    const hourlyIncrease = {
      name: IN,
      labels: dev,
      from: start,
      to: start + 9 * HOUR - 1,
      step: HOUR,
      fn: 'increase' as const,
    };
    // A counter growing 1,000 per 5 minutes with one reset, and a gauge, over 9 hours.
    const n = (9 * HOUR) / (5 * MIN);
    const counter = [...Array(n).keys()].map((i) => (i < 50 ? i * 1000 : (i - 50) * 1000 + 7));
    const gauge = [...Array(n).keys()].map((i) => (i % 7) / 10);

    it('computes 5-minute and hourly rollups incrementally, and long ranges read them', async () => {
      const db = await getDb();
      const clock = new SetClock(start + 9 * HOUR);
      const { storage } = makeStorage(db, clock, ROWS);
      await storage.write([
        ...series(IN, dev, start, 5 * MIN, counter),
        ...series('device_cpu_load_ratio', { device: 'roll' }, start, 5 * MIN, gauge),
      ]);
      // A bucket is rolled up once it ended a minute ago (the settle time).
      const first = await storage.maintain(start + 4 * HOUR + MIN);
      expect(first.rollups?.fiveMinUntil).toBe(start + 4 * HOUR);
      const second = await storage.maintain(start + 9 * HOUR + MIN);
      expect(second.rollups?.fiveMinUntil).toBe(start + 9 * HOUR);
      expect(second.rollups?.hourUntil).toBe(start + 9 * HOUR);
      expect(
        await count(db, 'ispm_rollup_1h r JOIN ispm_series s ON s.id = r.series_id', "s.device = 'roll'"),
      ).toBe(18);

      const q = hourlyIncrease;
      expect(storage.sourceOf(q)).toBe('5m');
      const [fromRollup] = await storage.range(q);
      expect(fromRollup?.points).toEqual(hourlyIncreases(counter, start, 12, 9));
      const [avg] = await storage.range({
        ...q,
        name: 'device_cpu_load_ratio',
        labels: { device: 'roll' },
        fn: 'max',
      });
      expect(avg?.points.map((p) => p[1])).toEqual(Array(9).fill(0.6));
    });

    it('counts a late sample that arrives within the lateness window', async () => {
      const db = await getDb();
      const { storage } = makeStorage(db, new SetClock(start + 9 * HOUR + 2 * MIN), ROWS);
      // A reading in the last 5-minute bucket, between two stored ones: min changes.
      await storage.write([
        { name: 'device_cpu_load_ratio', labels: { device: 'roll' }, value: -1, ts: start + 9 * HOUR - MIN },
      ]);
      const report = await storage.maintain(start + 9 * HOUR + 2 * MIN);
      expect(report.rollups).toMatchObject({ recomputed5m: 1 });
      const min = async (table: string, bucket: number) =>
        (
          await db.query<{ min: number }>(
            `SELECT r.min FROM ${table} r JOIN ispm_series s ON s.id = r.series_id
              WHERE s.device = 'roll' AND s.name = 'device_cpu_load_ratio' AND r.bucket = $1::timestamptz`,
            [new Date(bucket).toISOString()],
          )
        ).rows[0]?.min;
      expect(await min('ispm_rollup_5m', start + 9 * HOUR - 5 * MIN)).toBe(-1);
      expect(await min('ispm_rollup_1h', start + 8 * HOUR)).toBe(-1);
      // Nothing new and nothing late: the next round computes nothing at all.
      const idle = await storage.maintain(start + 9 * HOUR + 3 * MIN);
      expect(idle.rollups).toMatchObject({ rows5m: 0, rows1h: 0 });
      expect(idle.rollups?.recomputed5m).toBeUndefined();
    });

    it('a sample later than the lateness window is stored but leaves the rollups alone', async () => {
      const db = await getDb();
      const now = start + 9 * HOUR + 4 * MIN;
      const { storage } = makeStorage(db, new SetClock(now), ROWS);
      await storage.write([
        { name: 'device_cpu_load_ratio', labels: { device: 'roll' }, value: -5, ts: start + 8 * HOUR },
      ]);
      const report = await storage.maintain(now);
      expect(report.rollups?.recomputed5m).toBeUndefined();
      expect(await count(db, 'ispm_rollup_dirty')).toBe(0);
      const res = await db.query<{ min: number }>(
        `SELECT r.min FROM ispm_rollup_5m r JOIN ispm_series s ON s.id = r.series_id
          WHERE s.device = 'roll' AND s.name = 'device_cpu_load_ratio' AND r.bucket = $1::timestamptz`,
        [new Date(start + 8 * HOUR).toISOString()],
      );
      expect(res.rows[0]?.min).toBe(gauge[96]);
    });

    it('a counter read less often than every 5 minutes keeps its steps across rounds and slices', async () => {
      const db = await getDb();
      const from = start + 9 * HOUR;
      const sparse = { device: 'sparse', ifName: 'e1' };
      // Every 15 minutes for 5 hours, +1,000 each time, reset to 10 at 3 h 30.
      const values = [...Array(20).keys()].map((i) => (i < 14 ? i * 1000 : 10 + (i - 14) * 1000));
      const { storage } = makeStorage(db, new SetClock(from + 5 * HOUR + 2 * MIN));
      await storage.write(series(IN, sparse, from, 15 * MIN, values));
      // Two rounds: the second starts inside the series' gaps (3 h 5 is 5 minutes after a reading).
      await storage.maintain(from + 3 * HOUR + 6 * MIN);
      await storage.maintain(from + 5 * HOUR + 2 * MIN);
      const [hourly] = await storage.range({
        name: IN,
        labels: sparse,
        from,
        to: from + 5 * HOUR - 1,
        step: HOUR,
        fn: 'increase',
      });
      expect(hourly?.points).toEqual(hourlyIncreases(values, from, 4, 5));
    });

    it('drops whole partitions past retention and creates partitions ahead', async () => {
      const db = await getDb();
      const later = start + 9 * DAY;
      const { storage } = makeStorage(db, new SetClock(later), { retention: { raw: '7d', rollup5m: '30d' } });
      const before = await listPartitionNames(db, SAMPLES);
      const report = await storage.maintain(later);
      const rollDay = `ispm_samples_p${new Date(start).toISOString().slice(0, 10).replaceAll('-', '')}`;
      expect(before).toContain(rollDay);
      expect(report.dropped).toContain(rollDay);
      const after = await listPartitionNames(db, SAMPLES);
      expect(after).not.toContain(rollDay);
      for (const d of [0, 1, 2]) {
        expect(after).toContain(
          `ispm_samples_p${new Date(later + d * DAY).toISOString().slice(0, 10).replaceAll('-', '')}`,
        );
      }
      expect(
        await count(db, 'ispm_samples x JOIN ispm_series s ON s.id = x.series_id', "s.device = 'roll'"),
      ).toBe(0);
      // The rollups outlive the raw samples, and a long query still finds them.
      expect(await listPartitionNames(db, ROLLUP_5M)).toContain(rollDay.replace('samples', 'rollup_5m'));
      const q = hourlyIncrease;
      expect((await storage.range(q))[0]?.points).toHaveLength(9);
    });
  });

  describe('inventory, status and state', () => {
    it('keeps facts with history: an interface that disappears gets an end time (subscribers: subscribers-record tests)', async () => {
      const db = await getDb();
      const { storage } = makeStorage(db, new SetClock(T0));
      const { recordFacts } = await import('../../src/inventory/facts.js');
      const device = { id: 'bras-1', host: '127.0.0.1', driver: 'x' };
      await recordFacts(
        db,
        device,
        {
          system: { name: 'bras-1.bey', vendor: 'MikroTik' },
          interfaces: [
            { index: 1, name: 'ether1' },
            { index: 2, name: 'ether2', operUp: true },
          ],
          neighbours: [
            { protocol: 'lldp', localInterface: 'ether1', remoteName: 'core-1', remoteInterface: 'xe-0/0/1' },
          ],
        },
        T0,
      );
      await recordFacts(
        db,
        device,
        {
          interfaces: [{ index: 1, name: 'ether1' }],
        },
        T0 + MIN,
      );
      await recordFacts(
        db,
        { id: 'core-1', host: '127.0.0.1', driver: 'x' },
        { system: { name: 'core-1' } },
        T0,
      );
      expect((await storage.interfaces('bras-1')).map((i) => i.name)).toEqual(['ether1']);
      expect(await storage.interfaces('bras-1', { includeEnded: true })).toHaveLength(2);
      expect(await storage.links()).toEqual([
        {
          from: 'bras-1',
          localInterface: 'ether1',
          to: 'core-1',
          remoteName: 'core-1',
          remoteInterface: 'xe-0/0/1',
          protocol: 'lldp',
        },
      ]);
      expect((await storage.devices()).find((d) => d.id === 'bras-1')?.system?.vendor).toBe('MikroTik');
    });

    it('interfaces: changed fields are updated, a missing one ends, one that returns is current again', async () => {
      const db = await getDb();
      const { storage } = makeStorage(db, new SetClock(T0));
      const { recordFacts } = await import('../../src/inventory/facts.js');
      const device = { id: 'sw-if', host: '127.0.0.1', driver: 'x' };
      const ports = (operUp: boolean, count: number) =>
        [...Array(count).keys()].map((i) => ({
          index: i + 1,
          name: `ge-0/0/${i}`,
          speedBps: 1e9,
          adminUp: true,
          operUp,
          ...(i === 0 ? { alias: 'uplink to core', mac: '00:11:22:33:44:55' } : {}),
        }));
      await recordFacts(db, device, { interfaces: ports(true, 24) }, T0);
      await recordFacts(db, device, { interfaces: ports(false, 23) }, T0 + MIN);
      let current = await storage.interfaces('sw-if');
      expect(current).toHaveLength(23);
      expect(current.every((i) => i.operUp === false && i.speedBps === 1e9)).toBe(true);
      expect(current.find((i) => i.name === 'ge-0/0/0')).toMatchObject({ alias: 'uplink to core' });
      await recordFacts(db, device, { interfaces: ports(true, 24) }, T0 + 2 * MIN);
      current = await storage.interfaces('sw-if');
      expect(current).toHaveLength(24);
      expect(current.find((i) => i.name === 'ge-0/0/23')).toMatchObject({ operUp: true, endedAt: null });
    });

    it('records status transitions and computes availability over a period', async () => {
      const db = await getDb();
      const { storage } = makeStorage(db, new SetClock(T0));
      const { recordStatus } = await import('../../src/inventory/facts.js');
      await recordStatus(db, 'avail', 'unknown', 'online', T0 - HOUR);
      await recordStatus(db, 'avail', 'online', 'unreachable', T0 + 10 * MIN, 'timeout');
      await recordStatus(db, 'avail', 'unreachable', 'offline', T0 + 15 * MIN);
      await recordStatus(db, 'avail', 'offline', 'online', T0 + 20 * MIN);
      const [a] = await storage.availability(T0, T0 + HOUR, ['avail']);
      expect(a?.ms).toEqual({ unknown: 0, online: 50 * MIN, unreachable: 5 * MIN, offline: 5 * MIN });
      expect(a?.ratio).toBeCloseTo(50 / 60, 12);
      expect((await storage.statusHistory('avail', T0, T0 + HOUR)).map((c) => c.status)).toEqual([
        'unreachable',
        'offline',
        'online',
      ]);
      const [never] = await storage.availability(T0, T0 + HOUR, ['nobody']);
      expect(never?.ratio).toBeNull();
    });

    it('state and inventory stores round-trip JSON', async () => {
      const db = await getDb();
      const { createInventoryStore, createStateStore } = await import('../../src/inventory/stores.js');
      const state = createStateStore(async () => db);
      await state.set('alerts', 'fp1', { status: 'firing', since: 5, labels: { a: 'b' } });
      await state.set('alerts', 'fp1', { status: 'resolved' });
      await state.set('alerts', 'fp2', [1, 2]);
      expect(await state.get('alerts', 'fp1')).toEqual({ status: 'resolved' });
      expect(await state.list('alerts')).toEqual([
        { key: 'fp1', value: { status: 'resolved' } },
        { key: 'fp2', value: [1, 2] },
      ]);
      await state.delete('alerts', 'fp1');
      expect(await state.get('alerts', 'fp1')).toBeUndefined();
      const inv = createInventoryStore(async () => db);
      const device = {
        id: 'api-1',
        host: '127.0.0.2',
        driver: 'snmp',
        labels: { site: 'BEY' },
        snmp: { version: '2c' },
      };
      await inv.put(device);
      await inv.put({ ...device, name: 'renamed' });
      expect(await inv.list()).toEqual([{ ...device, name: 'renamed' }]);
      await inv.remove('api-1');
      expect(await inv.list()).toEqual([]);
    });
  });
}
