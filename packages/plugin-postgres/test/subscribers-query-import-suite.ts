/**
 * `importHistory` of time series and status changes, read back through the store's own reads,
 * and left alone by the live rollup rounds. Run on PostgreSQL and PGlite; each test gets a fresh
 * database from `freshDb` (the rollup watermarks are global to a database).
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../src/db/types.js';
import { applyMigrations } from '../src/schema/migrate.js';
import { ensurePartitions, ROLLUP_5M } from '../src/schema/partitions.js';
import type { HistorySeries } from '../src/subscribers/query-types.js';
import { isBadQuery } from '../src/subscribers/search-terms.js';
import { count, DAY, HOUR, MIN, makeStorage, SetClock, T0 } from './support/harness.js';

const NOW = T0 + 40 * DAY + 7 * MIN;
const FROM = NOW - 30 * DAY - 7 * MIN; // a UTC midnight
const STEP = 1000;

/** The gauge's value in the hour starting `ts`. */
const gaugeAt = (ts: number) => 0.25 + (Math.floor((ts - FROM) / HOUR) % 3) / 10;

/** 30 days of 5-minute buckets ending `end`: a gauge 0.25 + (hour % 3)/10 and a counter +STEP per bucket. */
function history(end: number): HistorySeries[] {
  const buckets = (end - FROM) / (5 * MIN);
  const gauge: HistorySeries = {
    name: 'device_cpu_load_ratio',
    labels: { device: 'bf1' },
    kind: 'gauge',
    buckets: [],
  };
  const counter: HistorySeries = {
    name: 'interface_in_octets_total',
    labels: { ifName: 'ether1', device: 'bf1' },
    kind: 'counter',
    buckets: [],
  };
  for (let i = 0; i < buckets; i++) {
    const ts = FROM + i * 5 * MIN;
    const v = gaugeAt(ts);
    gauge.buckets.push({ ts, count: 1, min: v, max: v, sum: v, last: v });
    const c = 2 ** 40 + i * STEP;
    counter.buckets.push({ ts, count: 1, min: c, max: c, sum: c, last: c });
  }
  return [gauge, counter];
}

const monthHourly = (name: string, labels: Record<string, string>, fn: 'avg' | 'increase') => ({
  name,
  labels,
  from: FROM,
  to: NOW - 1,
  step: HOUR,
  fn,
});

export function importSuite(freshDb: () => Promise<Db>): void {
  describe('importHistory: series and status changes', () => {
    it('series before any rollup round: 30 days readable as hourly rollups, and the rounds leave them', async () => {
      const db = await freshDb();
      await applyMigrations(db);
      const clock = new SetClock(NOW);
      // The row layout's rollup rounds (with chunks, compaction writes the rollups).
      const { storage } = makeStorage(db, clock, { chunks: { enabled: false } });
      const end = NOW - 7 * MIN; // up to the last full hour
      const out = await storage.importHistory({ series: history(end) });
      expect(out.rows).toBe(2 * (30 * 24 * 12));
      const cpu = monthHourly('device_cpu_load_ratio', { device: 'bf1' }, 'avg');
      expect(storage.sourceOf(cpu)).toBe('1h');
      const check = async () => {
        const [avg] = await storage.range(cpu);
        expect(avg?.points).toHaveLength(30 * 24);
        expect(avg?.points[4]?.[0]).toBe(FROM + 4 * HOUR);
        expect(avg?.points[4]?.[1]).toBeCloseTo(0.35, 12);
        const [inc] = await storage.range(
          monthHourly('interface_in_octets_total', { device: 'bf1', ifName: 'ether1' }, 'increase'),
        );
        expect(inc?.points).toHaveLength(30 * 24);
        // The first hour has 11 steps (no reading before it), every other hour 12.
        expect(inc?.points[0]?.[1]).toBe(11 * STEP);
        expect(inc?.points.slice(1).every((p) => p[1] === 12 * STEP)).toBe(true);
        // Shorter ranges read the 5-minute rollup.
        const day = { ...cpu, from: NOW - 2 * DAY - 7 * MIN, to: NOW - 7 * MIN - 1, step: 5 * MIN };
        expect(storage.sourceOf(day)).toBe('5m');
        expect((await storage.range(day))[0]?.points).toHaveLength(2 * 24 * 12);
      };
      await check();
      // The live rounds start where the import ends: nothing imported is emptied or recomputed.
      const report = await storage.maintain(NOW);
      expect(report.rollups?.fiveMinUntil).toBe(NOW - 2 * MIN);
      clock.t = NOW + 2 * HOUR;
      await storage.maintain(NOW + 2 * HOUR);
      await check();
      expect(await count(db, 'ispm_rollup_5m')).toBe(2 * 30 * 24 * 12);
    }, 120_000);

    it('series with chunks on (the default), after a round and live samples: every imported day reads back', async () => {
      const db = await freshDb();
      await applyMigrations(db);
      const clock = new SetClock(NOW);
      const { storage } = makeStorage(db, clock);
      // The demo's order: the server starts (a maintenance round, live polls), then the backfill.
      await storage.write([
        { name: 'device_cpu_load_ratio', labels: { device: 'bf1' }, value: 0.9, ts: NOW - 2 * MIN },
      ]);
      await storage.maintain(NOW);
      const end = NOW - 7 * MIN;
      await storage.importHistory({ series: history(end) });
      const cpu = { ...monthHourly('device_cpu_load_ratio', { device: 'bf1' }, 'avg'), to: end - 1 };
      const check = async () => {
        const [avg] = await storage.range(cpu);
        expect(avg?.points).toHaveLength(30 * 24);
        // A week at 30-minute steps and two days at 5-minute steps: every step of the import,
        // the last days included (they were left out while the chunks were read instead).
        const week = { ...cpu, from: end - 7 * DAY, to: end - 1, step: 30 * MIN };
        expect((await storage.range(week))[0]?.points).toHaveLength(7 * 48);
        const day = { ...cpu, from: NOW - 2 * DAY - 7 * MIN, to: end - 1, step: 5 * MIN };
        expect(storage.sourceOf(day)).toBe('5m');
        expect((await storage.range(day))[0]?.points).toHaveLength(2 * 24 * 12);
      };
      // A round's row not yet under its watermark (a materialization in progress), in a bucket
      // past the import's end, is not read: no sample of that bucket exists. Its day's partition
      // is made as that round makes it (with chunks on none is created ahead).
      await ensurePartitions(db, ROLLUP_5M, end, end);
      const id = await db.query<{ id: number }>(
        "SELECT id FROM ispm_series WHERE name = 'device_cpu_load_ratio'",
      );
      await db.query(
        `INSERT INTO ispm_rollup_5m (series_id, bucket, count, min, max, sum, last, last_ts, increase)
         VALUES ($1, $2::timestamptz, 1, 50, 50, 50, 50, $2::timestamptz, 0)`,
        [id.rows[0]?.id, new Date(end).toISOString()],
      );
      const lastDay = { ...cpu, from: end - DAY, to: end + 5 * MIN - 1, step: 5 * MIN };
      expect(storage.sourceOf(lastDay)).toBe('5m');
      const points = (await storage.range(lastDay))[0]?.points ?? [];
      expect(points.at(-1)?.[0]).toBe(end - 5 * MIN);
      await check();
      clock.t = NOW + 2 * HOUR;
      await storage.maintain(NOW + 2 * HOUR);
      await check();
    }, 120_000);

    it('series after a round: buckets the rounds own are skipped, hours recomputed, live rows kept', async () => {
      const db = await freshDb();
      await applyMigrations(db);
      const clock = new SetClock(NOW);
      // The row layout's rollup rounds (with chunks, compaction writes the rollups).
      const { storage } = makeStorage(db, clock, { chunks: { enabled: false } });
      // A live reading of the same gauge an hour ago, rolled up by a round.
      await storage.write([
        { name: 'device_cpu_load_ratio', labels: { device: 'bf1' }, value: 0.9, ts: NOW - HOUR },
      ]);
      await storage.maintain(NOW);
      const mark = NOW - 2 * MIN; // the round's 5-minute watermark
      // The backfill runs to now: the part from the watermark on is left to the rounds.
      const out = await storage.importHistory({ series: history(NOW + 5 * MIN) });
      expect(out.rows).toBe(2 * ((mark - FROM) / (5 * MIN)) - 1);
      const [avg] = await storage.range(monthHourly('device_cpu_load_ratio', { device: 'bf1' }, 'avg'));
      expect(avg?.points).toHaveLength(30 * 24);
      // The live bucket won over the imported one; the hour holds both.
      const lastHour = avg?.points.at(-1);
      expect(lastHour?.[0]).toBe(NOW - 7 * MIN - HOUR);
      expect(lastHour?.[1]).toBeCloseTo((11 * gaugeAt(NOW - 7 * MIN - HOUR) + 0.9) / 12, 10);
      await storage.maintain(NOW + 5 * MIN);
      expect(
        (await storage.range(monthHourly('device_cpu_load_ratio', { device: 'bf1' }, 'avg')))[0]?.points,
      ).toEqual(avg?.points);
    });

    it('status changes: availability and history read them, a second import adds nothing', async () => {
      const db = await freshDb();
      await applyMigrations(db);
      const { storage } = makeStorage(db, new SetClock(NOW));
      const changes = [
        { router: 'bf2', ts: FROM, previous: 'unknown', status: 'online' },
        { router: 'bf2', ts: FROM + DAY, previous: 'online', status: 'unreachable', reason: 'timeout' },
        { router: 'bf2', ts: FROM + DAY + HOUR, previous: 'unreachable', status: 'offline' },
        { router: 'bf2', ts: FROM + DAY + 3 * HOUR, previous: 'offline', status: 'online' },
      ];
      expect(await storage.importHistory({ statusChanges: changes })).toEqual({ rows: 4 });
      expect(await storage.importHistory({ statusChanges: changes })).toEqual({ rows: 0 });
      const [a] = await storage.availability(FROM, FROM + 2 * DAY, ['bf2']);
      expect(a?.ms).toMatchObject({ online: 2 * DAY - 3 * HOUR, unreachable: HOUR, offline: 2 * HOUR });
      expect(await storage.statusHistory('bf2', FROM, NOW)).toHaveLength(4);
      // A period from inside the outage: the transition in force first (dated before), then the rest.
      const fleet = await storage.statusChanges(FROM + DAY + 2 * HOUR, NOW);
      expect(fleet.map((c) => [c.ts - FROM, c.status, c.reason])).toEqual([
        [DAY + HOUR, 'offline', null],
        [DAY + 3 * HOUR, 'online', null],
      ]);
      expect(await storage.statusChanges(FROM, NOW, ['other'])).toEqual([]);
      expect((await storage.devices()).find((d) => d.id === 'bf2')?.status).toBe('online');
    });

    it('refuses bad entries with BAD_QUERY and writes nothing of that part', async () => {
      const db = await freshDb();
      await applyMigrations(db);
      const { storage } = makeStorage(db, new SetClock(NOW));
      const bad: unknown[] = [
        { statusChanges: [{ router: 'x', ts: 1, previous: 'online', status: 'broken' }] },
        { statusChanges: [{ router: 'x\u0000', ts: 1, previous: 'online', status: 'offline' }] },
        { statusChanges: 'nope' },
        {
          series: [
            {
              name: 'x',
              labels: {},
              kind: 'gauge',
              buckets: [{ ts: 1, count: 1, min: Number.NaN, max: 1, sum: 1, last: 1 }],
            },
          ],
        },
        { series: [{ name: 'x', labels: { a: 'b\u0000' }, kind: 'gauge', buckets: [] }] },
        { series: [{ name: 'x', labels: {}, kind: 'histogram', buckets: [] }] },
        null,
      ];
      for (const h of bad) {
        const err = await storage.importHistory(h as never).catch((e: unknown) => e);
        expect(isBadQuery(err), JSON.stringify(h)).toBe(true);
      }
      expect(await count(db, 'ispm_device_status')).toBe(0);
      expect(await count(db, 'ispm_series')).toBe(0);
    });
  });
}
