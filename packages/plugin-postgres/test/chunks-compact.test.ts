import { describe, expect, it } from 'vitest';
import { compact } from '../src/chunks/compact.js';
import type { Db } from '../src/db/types.js';
import { applyMigrations } from '../src/schema/migrate.js';
import { count, DAY, HOUR, MIN, makeStorage, SetClock, series, T0 } from './support/harness.js';
import { freshPgDatabases, pgMissing } from './support/pg-server.js';

const IN = 'interface_in_octets_total';
const OPTS = { hotMs: 2 * HOUR, statementTimeoutMs: 60_000 };

/** A database whose `nth` transaction that writes chunks fails after its work, before COMMIT: a crash mid-round. */
function crashingAt(db: Db, nth: number): Db {
  let n = 0;
  return {
    ...db,
    query: db.query.bind(db),
    copy: db.copy.bind(db),
    poolStats: db.poolStats.bind(db),
    close: db.close.bind(db),
    transaction: (fn) =>
      db.transaction(async (tx) => {
        let writes = false;
        const spy = {
          ...tx,
          // New chunks go by COPY, re-opened ones by INSERT … ON CONFLICT.
          copy: (spec) => {
            if (spec.table.startsWith('ispm_chunks')) writes = true;
            return tx.copy(spec);
          },
          query: (sql: string, params?: readonly unknown[]) => {
            if (sql.includes('INSERT INTO ispm_chunks')) writes = true;
            return tx.query(sql, params);
          },
        } as typeof tx;
        const out = await fn(spy);
        if (writes && ++n === nth) throw new Error('killed');
        return out;
      }),
  };
}

const missing = pgMissing();
if (missing) describe.skip(`compaction on PostgreSQL 15: ${missing}`, () => it('needs PostgreSQL', () => {}));
else {
  const pg = freshPgDatabases('chunks_compact_');

  describe('compaction round', () => {
    // A day created since the window partitions is compacted a window per transaction (rows read,
    // partition truncated); a day partition of an older database, a batch per transaction (rows
    // deleted). Either way a crash loses and duplicates nothing, and the next round finishes.
    it.each([
      { layout: 'window partitions', legacy: false, crashes: [1], chunksLeft: 0 },
      { layout: 'a day partition of an older database', legacy: true, crashes: [1, 2], chunksLeft: 2 },
    ])(
      '$layout: a crash in any transaction loses and duplicates nothing; the next round resumes',
      async ({ legacy, crashes, chunksLeft }) => {
        const db = await pg.fresh();
        await applyMigrations(db);
        if (legacy) {
          await db.query(
            `CREATE TABLE ispm_samples_p20300101 PARTITION OF ispm_samples FOR VALUES FROM ('${new Date(T0).toISOString()}') TO ('${new Date(T0 + DAY).toISOString()}')`,
          );
        }
        const clock = new SetClock(T0 + 5 * HOUR);
        const { storage } = makeStorage(db, clock, { chunks: { enabled: false } });
        const batch = [1, 2, 3, 4].flatMap((d) =>
          series(
            IN,
            { device: `c${d}`, ifName: 'e1' },
            T0,
            MIN,
            [...Array(300).keys()].map((i) => BigInt(i) * 1_000_003n + 2n ** 63n),
          ),
        );
        await storage.write(batch);
        const before = await storage.rawSamples(IN, {}, T0, T0 + 5 * HOUR);
        const rowsBefore = await count(db, 'ispm_samples');

        // Each batch holds whole series (120 rows each in the window): batches of two series.
        for (const nth of crashes) {
          await expect(compact(crashingAt(db, nth), clock.t, { ...OPTS, batchRows: 250 })).rejects.toThrow(
            'killed',
          );
        }
        // Legacy: the first batch of the second attempt committed; the one that "crashed" left its
        // rows. Windows: the window's transaction left everything as it was.
        expect(await count(db, 'ispm_chunks')).toBe(chunksLeft);
        expect(await count(db, 'ispm_samples')).toBe(rowsBefore - chunksLeft * 120);
        expect(await storage.rawSamples(IN, {}, T0, T0 + 5 * HOUR)).toEqual(before);

        const report = await compact(db, clock.t, { ...OPTS, batchRows: 250 });
        expect(report).toMatchObject({
          ran: true,
          windows: 1,
          chunks: 4 - chunksLeft,
          rows: (4 - chunksLeft) * 120,
          reopened: 0,
        });
        expect(await count(db, 'ispm_chunks')).toBe(4);
        expect(await count(db, 'ispm_samples')).toBe(rowsBefore - 4 * 120);
        expect(await storage.rawSamples(IN, {}, T0, T0 + 5 * HOUR)).toEqual(before);
        // 2-hour windows of 120 exact counters at a steady step: a few bits each.
        const size = await db.query<{ b: number }>(
          'SELECT avg(octet_length(data))::float8 AS b FROM ispm_chunks',
        );
        expect(Number(size.rows[0]?.b) / 120).toBeLessThan(1);
        // What diagnostics show: every sample counted once, from rows and chunks.
        const stats = await storage.storageStats();
        expect(stats).toMatchObject({
          samples: 1200,
          hotRows: 720,
          chunks: 4,
          chunkSamples: 480,
          hotWindowMs: null,
        });
        expect(stats.compactedUntil).toBe(T0 + 2 * HOUR);
        expect(stats.bytesPerSample).toBeGreaterThan(0);
        // Done: a second round finds nothing and changes nothing.
        expect(await compact(db, clock.t, OPTS)).toMatchObject({ windows: 0, chunks: 0, rows: 0 });
      },
    );

    it('a late row written while its window is compacted waits for the commit and stays for the next round', async () => {
      const db = await pg.fresh();
      await applyMigrations(db);
      const clock = new SetClock(T0 + 5 * HOUR);
      const { storage } = makeStorage(db, clock, { chunks: { enabled: false } });
      const labels = { device: 'lr', ifName: 'e1' };
      await storage.write(series(IN, labels, T0, MIN, Array(300).fill(5)));
      let late: Promise<unknown> | undefined;
      // Just before the window's partition is truncated, a writer sends a row for that window.
      const hooked: Db = {
        ...db,
        query: db.query.bind(db),
        copy: db.copy.bind(db),
        transaction: (fn) =>
          db.transaction((tx) =>
            fn({
              ...tx,
              copy: tx.copy.bind(tx),
              query: async (sql: string, params?: readonly unknown[]) => {
                if (sql.startsWith('TRUNCATE') && late === undefined) {
                  late = storage.write([{ name: IN, labels, value: 9, ts: T0 + 30 * MIN + 1 }]);
                  // The writer waits for the round's lock on the window (state, not time).
                  for (;;) {
                    const w = await db.query<{ n: number }>(
                      'SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted',
                    );
                    if (Number(w.rows[0]?.n) > 0) break;
                    await new Promise((r) => setTimeout(r, 10));
                  }
                }
                return tx.query(sql, params);
              },
            } as typeof tx),
          ),
      };
      expect(await compact(hooked, clock.t, OPTS)).toMatchObject({ windows: 1, rows: 120 });
      await late;
      // The late row landed after the commit, in the emptied partition: read with the chunk.
      expect(await count(db, 'ispm_samples')).toBe(181);
      const samples = await storage.rawSamples(IN, {}, T0, T0 + 5 * HOUR);
      expect(samples).toHaveLength(301);
      expect(await compact(db, clock.t, OPTS)).toMatchObject({ windows: 1, rows: 1, reopened: 1 });
      expect(await count(db, 'ispm_samples')).toBe(180);
      expect(await storage.rawSamples(IN, {}, T0, T0 + 5 * HOUR)).toEqual(samples);
    });

    it('a backlog of windows is compacted over several rounds, the watermark moved only where done; no rollup stored', async () => {
      const db = await pg.fresh();
      await applyMigrations(db);
      const clock = new SetClock(T0 + 9 * HOUR);
      const { storage } = makeStorage(db, clock, { chunks: { enabled: false } });
      await storage.write(series(IN, { device: 'bk', ifName: 'e1' }, T0, MIN, Array(9 * 60).fill(7)));
      const mark = async (level: string) =>
        Number(
          (
            await db.query<{ t: number }>(
              'SELECT (extract(epoch FROM done_until) * 1000)::float8 AS t FROM ispm_rollup_state WHERE level = $1',
              [level],
            )
          ).rows[0]?.t,
        );
      expect(await compact(db, clock.t, { ...OPTS, maxWindows: 2 })).toMatchObject({ windows: 2, rows: 240 });
      expect(await mark('chunks')).toBe(T0 + 4 * HOUR);
      expect(await compact(db, clock.t, { ...OPTS, maxWindows: 2 })).toMatchObject({ windows: 1, rows: 120 });
      expect(await mark('chunks')).toBe(T0 + 6 * HOUR);
      // Rollups are read from the chunks until they are about to expire: none stored, no level moved.
      expect(await mark('rollup_5m')).toBeNaN();
      expect(await count(db, 'ispm_rollup_5m')).toBe(0);
      expect(await count(db, 'ispm_chunks')).toBe(3);
      expect(await storage.rawSamples(IN, { device: 'bk' }, T0, T0 + 9 * HOUR)).toHaveLength(9 * 60);
    });

    it('another replica holding the lock makes the round skip, not wait', async () => {
      const db = await pg.fresh();
      await applyMigrations(db);
      const clock = new SetClock(T0 + 5 * HOUR);
      const { storage } = makeStorage(db, clock, { chunks: { enabled: false } });
      await storage.write(series(IN, { device: 'lk', ifName: 'e1' }, T0, MIN, Array(200).fill(5)));
      let release: () => void = () => {};
      let taken: () => void = () => {};
      const held = new Promise<void>((r) => (taken = r));
      const holder = db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [0x4953_504d_0003]);
        taken();
        await new Promise<void>((r) => (release = r));
      });
      await held;
      expect(await compact(db, clock.t, OPTS)).toMatchObject({ ran: false, chunks: 0 });
      release();
      await holder;
      expect(await compact(db, clock.t, OPTS)).toMatchObject({ ran: true, chunks: 1, rows: 120 });
    });

    it('a window with series exact throughout, in part and not at all reads each back as stored', async () => {
      const db = await pg.fresh();
      await applyMigrations(db);
      const clock = new SetClock(T0 + 5 * HOUR);
      const { storage } = makeStorage(db, clock, { chunks: { enabled: false } });
      const n = [...Array(120).keys()];
      const shapes: Record<string, Array<number | bigint>> = {
        exact: n.map((i) => BigInt(i) * 7n + 2n ** 63n),
        // Integers are stored with their exact reading, fractions and negatives without: mixed.
        mixed: n.map((i) => (i % 3 === 0 ? i + 0.5 : i % 5 === 0 ? -i : i)),
        floats: n.map((i) => i / 7),
      };
      for (const [device, values] of Object.entries(shapes))
        await storage.write(series('device_temperature_celsius', { device }, T0, MIN, values));
      const before = await storage.rawSamples('device_temperature_celsius', {}, T0, T0 + 2 * HOUR);
      // The whole window at once, and a batch of one series each.
      for (const batchRows of [undefined, 100]) {
        const report = await compact(db, clock.t, { ...OPTS, ...(batchRows ? { batchRows } : {}) });
        expect(report).toMatchObject({ windows: 1, chunks: 3, rows: 360 });
        expect(await count(db, 'ispm_samples', 'ts < $1', [new Date(T0 + 2 * HOUR).toISOString()])).toBe(0);
        expect(await storage.rawSamples('device_temperature_celsius', {}, T0, T0 + 2 * HOUR)).toEqual(before);
        if (batchRows) break;
        // Again from rows, by batches.
        await db.query('DELETE FROM ispm_chunks');
        await db.query('DELETE FROM ispm_chunk_times');
        await db.query('DELETE FROM ispm_rollup_state');
        for (const [device, values] of Object.entries(shapes))
          await storage.write(series('device_temperature_celsius', { device }, T0, MIN, values));
      }
    });
  });
}
