import { describe, expect, it } from 'vitest';
import { compact } from '../src/chunks/compact.js';
import type { Db } from '../src/db/types.js';
import { applyMigrations } from '../src/schema/migrate.js';
import { count, HOUR, MIN, makeStorage, SetClock, series, T0 } from './support/harness.js';
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
          copy: tx.copy.bind(tx),
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
    it('a crash in any batch loses and duplicates nothing; the next round resumes', async () => {
      const db = await pg.fresh();
      await applyMigrations(db);
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
      for (const nth of [1, 2]) {
        await expect(compact(crashingAt(db, nth), clock.t, { ...OPTS, batchRows: 250 })).rejects.toThrow(
          'killed',
        );
      }
      // The first batch of the second attempt committed; the one that "crashed" left its rows.
      expect(await count(db, 'ispm_chunks')).toBe(2);
      expect(await count(db, 'ispm_samples')).toBe(rowsBefore - 2 * 120);
      expect(await storage.rawSamples(IN, {}, T0, T0 + 5 * HOUR)).toEqual(before);

      const report = await compact(db, clock.t, { ...OPTS, batchRows: 250 });
      expect(report).toMatchObject({ ran: true, windows: 1, chunks: 2, rows: 240, reopened: 0 });
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
  });
}
