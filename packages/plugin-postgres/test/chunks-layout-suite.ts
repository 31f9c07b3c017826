/**
 * The same fleet-like samples written to two databases, one keeping rows only and one compacting
 * into chunks; every read the server makes must answer alike, sample for sample (aggregates to
 * the last bits a different order of float additions can change). Run on PGlite and PostgreSQL.
 */
import type { Labels, RangeQuery, Sample } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import type { Db } from '../src/db/types.js';
import { applyMigrations } from '../src/schema/migrate.js';
import type { Storage } from '../src/store.js';
import { count, DAY, HOUR, MIN, makeStorage, SetClock, T0 } from './support/harness.js';

const IN = 'interface_in_octets_total';
const OUT = 'interface_out_octets_total';
const NAMES = [
  IN,
  OUT,
  'interface_in_errors_total',
  'device_cpu_load_ratio',
  'device_temperature_celsius',
  'device_status',
];
const END = T0 + 8 * HOUR;

/** Deterministic fleet: 3 routers × 3 interfaces, counters near 2^64, 32-bit wraps, resets, a gap. */
export function fleet(): Sample[] {
  const out: Sample[] = [];
  for (let d = 1; d <= 3; d++) {
    const device = `lay${d}`;
    let big = 2n ** 64n - 40_000_000_000n;
    let small = 4_294_000_000 - d * 1_000_000;
    let reset = 10_000n;
    for (let i = 0; i < 8 * 60; i++) {
      // Router 3 is unreachable from 2h50 to 4h10: a gap over an hour, across a window edge.
      if (d === 3 && i >= 170 && i < 250) continue;
      const ts = T0 + i * MIN + ((i * 7919 * d) % 900);
      big = (big + BigInt(100_000_000 + ((i * 104_729) % 50_000_000))) % 2n ** 64n;
      small = (small + 3_000_000 + ((i * 31) % 1000)) % 4_294_967_296;
      reset = i === 200 ? 5n : reset + BigInt(1000 + i);
      const ifs: Array<[string, bigint | number, bigint | number]> = [
        ['ether1', big, big / 3n],
        ['ether2', small, small],
        ['ether3', reset, reset * 2n],
      ];
      for (const [ifName, a, b] of ifs) {
        const labels = { device, ifName };
        out.push({ name: IN, labels, value: a, ts }, { name: OUT, labels, value: b, ts });
        out.push({ name: 'interface_in_errors_total', labels, value: 0, ts });
      }
      out.push({
        name: 'device_cpu_load_ratio',
        labels: { device },
        value: ((i * d) % 97) / 100 + 0.001,
        ts,
      });
      const temp = i % 50 === 0 ? -0 : -3.25 + ((i * 13) % 40) / 8;
      out.push({ name: 'device_temperature_celsius', labels: { device, sensor: 'cpu' }, value: temp, ts });
      out.push({
        name: 'device_status',
        labels: { device },
        value: i >= 300 && i < 320 && d === 2 ? 2 : 1,
        ts,
      });
    }
  }
  return out;
}

/** A late CPU reading of the first router, written after its window was compacted. */
function lateCpu(value: number, ts: number): Sample {
  return { name: 'device_cpu_load_ratio', labels: { device: 'lay1' }, value, ts };
}

function close(a: number, b: number): boolean {
  return Object.is(a, b) || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

function expectPointsClose(a: Array<[number, number]>, b: Array<[number, number]>, what: string): void {
  expect(b.length, what).toBe(a.length);
  a.forEach(([t, v], i) => {
    const [tb, vb] = b[i] as [number, number];
    if (tb !== t || !close(v, vb)) expect([tb, vb], `${what} at ${i}`).toEqual([t, v]);
  });
}

async function writeBoth(rows: Storage, chunks: Storage, batch: Sample[]): Promise<void> {
  for (let i = 0; i < batch.length; i += 5000) {
    await rows.write(batch.slice(i, i + 5000));
    await chunks.write(batch.slice(i, i + 5000));
  }
}

/** Query shapes compared: all of them on PostgreSQL; a cross-section on PGlite (slower per query). */
export interface Shapes {
  names: readonly string[];
  fns: ReadonlyArray<'rate' | 'increase' | 'avg' | 'min' | 'max' | 'last'>;
  steps: readonly number[];
}
export const ALL_SHAPES: Shapes = {
  names: NAMES,
  fns: ['rate', 'increase', 'avg', 'min', 'max', 'last'],
  steps: [MIN, 5 * MIN, 7 * MIN],
};

/**
 * `fromRollupsToo: false` leaves out the range queries that read rollups: with a late row not yet
 * rolled up, the row layout's stored rollups lag it until the next round, while the chunk layout
 * computes them from the samples and shows it at once.
 */
async function compareReads(
  rows: Storage,
  chunks: Storage,
  shapes: Shapes,
  fromRollupsToo = true,
): Promise<void> {
  for (const name of shapes.names) {
    // Every router's series at once: one query per shape keeps the file fast.
    {
      const device = 'all';
      const labels: Labels = {};
      for (const [from, to] of [
        [T0, END],
        [T0 + 90 * MIN, T0 + 6 * HOUR + 30 * MIN],
      ] as const) {
        const a = await rows.range({ name, labels, from, to, step: 0, fn: 'raw' });
        const b = await chunks.range({ name, labels, from, to, step: 0, fn: 'raw' });
        // Raw points are equal exactly, -0 included.
        expect(b, `${name} ${device} raw`).toEqual(a);
        expect(await chunks.rawSamples(name, labels, from, to)).toEqual(
          await rows.rawSamples(name, labels, from, to),
        );
      }
      for (const fn of shapes.fns) {
        for (const step of shapes.steps) {
          const q: RangeQuery = { name, labels, from: T0 + 30 * MIN + 1234, to: END - 10 * MIN, step, fn };
          if (!fromRollupsToo && rows.sourceOf(q) !== 'raw') continue;
          const a = await rows.range(q);
          const b = await chunks.range(q);
          expect(b.length).toBe(a.length);
          a.forEach((s, i) => {
            expectPointsClose(
              s.points,
              b[i]?.points ?? [],
              `${name} ${JSON.stringify(s.labels)} ${fn}/${step}`,
            );
          });
        }
      }
    }
    expect(await chunks.latest(name)).toEqual(await rows.latest(name));
  }
  const tops = [
    { names: [IN, OUT], fn: 'rate', by: 'interface', windowMs: 3 * HOUR, to: T0 + 5 * HOUR },
    { names: ['device_cpu_load_ratio'], fn: 'avg', by: 'device', windowMs: 6 * HOUR, to: T0 + 7 * HOUR },
    { names: ['device_temperature_celsius'], fn: 'max', windowMs: 2 * HOUR, to: T0 + 3 * HOUR },
    { names: [IN], fn: 'last', by: 'series', windowMs: HOUR, to: T0 + 4 * HOUR + 30 * MIN },
  ] as const;
  for (const q of tops) {
    // Ties (equal counters on several routers) come in any order: compare as sets, all rows.
    const key = (r: { device: string | null; ifName?: string | null; labels?: Labels }) => JSON.stringify(r);
    const byKey = (rows: Awaited<ReturnType<Storage['topN']>>) =>
      new Map(rows.map(({ value, ...r }) => [key(r), value]));
    const a = byKey(await rows.topN({ ...q, names: [...q.names], limit: 1000 }));
    const b = byKey(await chunks.topN({ ...q, names: [...q.names], limit: 1000 }));
    expect([...b.keys()].sort(), `top ${q.fn}`).toEqual([...a.keys()].sort());
    for (const [k, v] of a) expect(close(v, b.get(k) as number), `top ${q.fn} ${k}`).toBe(true);
  }
}

interface RollupRow {
  series: string;
  bucket: string;
  count: number;
  min: number;
  max: number;
  sum: number;
  last: number;
  last_raw: string | null;
  last_ts: string;
  increase: number | null;
}

async function rollups(db: Db, table: string, until: number): Promise<RollupRow[]> {
  const res = await db.query<RollupRow>(
    `SELECT s.name || s.labels::text AS series, r.bucket::text AS bucket, r.count, r.min, r.max, r.sum, r.last,
            r.last_raw::text AS last_raw, r.last_ts::text AS last_ts, r.increase
       FROM ${table} r JOIN ispm_series s ON s.id = r.series_id
      WHERE r.bucket < $1::timestamptz ORDER BY 1, 2`,
    [new Date(until).toISOString()],
  );
  return res.rows;
}

async function compareRollups(a: Db, b: Db, until: number): Promise<void> {
  for (const table of ['ispm_rollup_5m', 'ispm_rollup_1h']) {
    const ra = await rollups(a, table, until);
    const rb = await rollups(b, table, until);
    expect(rb.length, table).toBe(ra.length);
    ra.forEach((r, i) => {
      const o = rb[i] as RollupRow;
      const exact = { ...r, sum: 0, increase: 0 };
      expect({ ...o, sum: 0, increase: 0 }, `${table} ${r.series} ${r.bucket}`).toEqual(exact);
      expect(close(Number(r.sum), Number(o.sum)), `${table} sum ${r.series} ${r.bucket}`).toBe(true);
      expect(r.increase === null, `${table} increase ${r.series} ${r.bucket}`).toBe(o.increase === null);
      if (r.increase !== null)
        expect(close(Number(r.increase), Number(o.increase)), `${table} increase`).toBe(true);
    });
  }
}

/** Runs the comparison on two fresh databases of one engine. */
export function layoutSuite(open: () => Promise<[Db, Db]>, shapes: Shapes = ALL_SHAPES): void {
  describe('chunks and rows answer alike', () => {
    it('same reads, same rollups, before and after compaction and a late row', {
      timeout: 240_000,
    }, async () => {
      const [dbRows, dbChunks] = await open();
      await applyMigrations(dbRows);
      await applyMigrations(dbChunks);
      const clock = new SetClock(END + 5 * MIN);
      // The row layout recomputes late buckets of the whole test span, as compaction does.
      const rows = makeStorage(dbRows, clock, {
        chunks: { enabled: false },
        rollups: { lateness: '1d' },
      }).storage;
      const chunks = makeStorage(dbChunks, clock).storage;
      await writeBoth(rows, chunks, fleet());

      await rows.maintain();
      const first = await chunks.maintain();
      expect(first.compaction).toMatchObject({ ran: true, windows: 3, reopened: 0 });
      // Three 2-hour windows compacted; the last two hours stay rows.
      expect(await count(dbChunks, 'ispm_samples', 'ts < $1', [new Date(T0 + 6 * HOUR).toISOString()])).toBe(
        0,
      );
      expect(await count(dbChunks, 'ispm_chunks')).toBeGreaterThan(0);
      // No rollup row is stored while the samples are: reads compute them from the chunks.
      expect(await count(dbChunks, 'ispm_rollup_5m')).toBe(0);
      expect(await count(dbChunks, 'ispm_rollup_1h')).toBe(0);
      await compareReads(rows, chunks, shapes);

      // A late row inside a compacted window, and a late duplicate of a compacted sample: both
      // layouts keep the first reading at a time, and the late one joins its window.
      const late = [
        lateCpu(0.999, T0 + 3 * HOUR + 30_500),
        lateCpu(0.5, T0 + 3 * HOUR + ((180 * 7919) % 900)),
      ];
      await writeBoth(rows, chunks, late);
      await compareReads(rows, chunks, shapes, false);
      clock.t += MIN;
      await rows.maintain();
      const second = await chunks.maintain();
      expect(second.compaction).toMatchObject({ windows: 1, chunks: 1, reopened: 1 });
      await compareReads(rows, chunks, shapes);

      // Idempotent: nothing left to compact.
      clock.t += MIN;
      expect((await chunks.maintain()).compaction).toMatchObject({ windows: 0, chunks: 0 });

      // A day before the raw samples expire (7 days), the rollups are written from the chunks:
      // row for row what the row layout's rounds stored; reads now take them from the tables.
      clock.t = END + 6 * DAY;
      await rows.maintain();
      const third = await chunks.maintain();
      expect(third.materialized).toMatchObject({ ran: true, windows: 4, until: END });
      // The whole day is compacted: its window chunks became one chunk per series.
      expect(third.merged).toMatchObject({ ran: true, days: 1 });
      expect(await count(dbChunks, 'ispm_chunks', 'start_ts <> $1', [new Date(T0).toISOString()])).toBe(0);
      await compareRollups(dbRows, dbChunks, END);
      await compareReads(rows, chunks, shapes);

      // Late rows into the merged day (a new time, and a duplicate of a stored one): a window chunk
      // beside the day's; the rollups stay (later than the lateness, as the row layout's do).
      const lateAfterMerge = [
        lateCpu(0.25, T0 + 3 * HOUR + 45_000),
        lateCpu(0.75, T0 + 300 * MIN + ((300 * 7919) % 900)),
      ];
      await writeBoth(rows, chunks, lateAfterMerge);
      clock.t += MIN;
      await rows.maintain();
      expect((await chunks.maintain()).compaction).toMatchObject({ chunks: 2, reopened: 0 });
      await compareReads(rows, chunks, shapes);
      // The samples expire: both layouts answer from the rollups alone (raw reads empty).
      clock.t = T0 + 8 * DAY + HOUR;
      await rows.maintain();
      const fourth = await chunks.maintain();
      expect(fourth.dropped.some((n) => n.startsWith('ispm_chunks_p'))).toBe(true);
      expect(await count(dbChunks, 'ispm_chunks')).toBe(0);
      await compareReads(rows, chunks, shapes);
    });
  });
}
