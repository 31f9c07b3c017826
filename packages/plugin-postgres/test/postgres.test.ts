import { describe, expect, it, vi } from 'vitest';
import type { PgDbOptions } from '../src/db/pg.js';
import { openPg } from '../src/db/pg.js';
import type { Db } from '../src/db/types.js';
import { checkDatabase, migrate } from '../src/open.js';
import { applyMigrations } from '../src/schema/migrate.js';
import { holdTransaction } from './support/latch.js';
import { freePort, pgForBlock, pgMissing } from './support/pg-server.js';
import { storeSuite } from './support/store-suite.js';

const missing = pgMissing();
if (missing) console.warn(`skipping PostgreSQL tests: ${missing}`);

describe.skipIf(missing)('PostgreSQL 15', () => {
  const pg = pgForBlock('suite');

  /**
   * Two replicas' pools on a fresh database `name`, migrated through the first (opened with
   * `first`), both closed after `fn`.
   */
  async function twoReplicas(
    name: string,
    first: Omit<PgDbOptions, 'url'>,
    fn: (a: Db, b: Db) => Promise<void>,
  ): Promise<void> {
    const url = await pg.server.createDatabase(name);
    const a = await openPg({ ...first, url });
    const b = await openPg({ url });
    try {
      await applyMigrations(a);
      await fn(a, b);
    } finally {
      await a.close();
      await b.close();
    }
  }

  storeSuite(() => pg.db());

  it('migrate() and checkDatabase() for the CLI: before, after, and with no server', async () => {
    const url = await pg.server.createDatabase('cli');
    expect(await checkDatabase(url)).toMatchObject({ ok: false, version: 0, expected: 8 });
    expect(await migrate(url)).toEqual({ applied: [1, 2, 3, 4, 5, 6, 7, 8], version: 8 });
    expect(await migrate(url)).toEqual({ applied: [], version: 8 });
    expect(await checkDatabase(url)).toMatchObject({
      ok: true,
      version: 8,
      message: 'database reachable, schema current',
    });
    const down = await checkDatabase(`postgres://mon:hunter2@127.0.0.1:${await freePort()}/x`);
    expect(down.ok).toBe(false);
    expect(down.message).toMatch(/unreachable/);
    expect(JSON.stringify(down)).not.toContain('hunter2');
  });

  it('a write finds its partition again after another replica dropped it', () =>
    twoReplicas('drop', {}, async (a, b) => {
      const { makeStorage, SetClock, T0 } = await import('./support/harness.js');
      const clock = new SetClock(T0 + 1000);
      const { storage } = makeStorage(a, clock);
      await storage.write([{ name: 'device_up', labels: { device: 'p' }, value: 1, ts: T0 }]);
      // Replica b runs retention far in the future: today's partition is gone; a's cache says it exists.
      const { storage: other } = makeStorage(b, clock, { retention: { raw: '1d' } });
      await other.maintain(T0 + 10 * 86_400_000);
      await storage.write([{ name: 'device_up', labels: { device: 'p' }, value: 1, ts: T0 + 500 }]);
      expect(await storage.latest('device_up', { device: 'p' })).toMatchObject([{ ts: T0 + 500 }]);
    }));

  it('with parallel COPYs, a batch and its retry are stored exactly once', async () => {
    const { makeStorage, SetClock, T0, series, count } = await import('./support/harness.js');
    const db = await pg.db();
    const { storage } = makeStorage(db, new SetClock(T0 + 3_600_000), { ingest: { parallel: 3 } });
    const batch = series('device_up', { device: 'par' }, T0, 100, Array(6000).fill(1));
    expect((await storage.write(batch)).deduplicated).toBe(false);
    expect((await storage.write(batch)).deduplicated).toBe(true);
    expect(
      await count(db, 'ispm_samples x JOIN ispm_series s ON s.id = x.series_id', "s.device = 'par'"),
    ).toBe(6000);
  });

  it('replicas migrating at the same time apply each migration once (advisory lock)', async () => {
    const url = await pg.server.createDatabase('race');
    const pools = await Promise.all([1, 2, 3, 4].map(() => openPg({ url, max: 2 })));
    try {
      const reports = await Promise.all(pools.map((p) => applyMigrations(p)));
      expect(reports.flatMap((r) => r.applied)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(reports.every((r) => r.version === 8)).toBe(true);
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  });

  it('a rollup slower than the pool statement timeout completes (maintenance.statementTimeout)', () =>
    // The pool cuts statements at 1 s; the rollup here waits for a lock well past that.
    twoReplicas('rollup_slow', { statementTimeoutMs: 1000 }, async (a, b) => {
      const { makeStorage, SetClock, T0, series, HOUR, MIN } = await import('./support/harness.js');
      const start = T0 + 3 * HOUR;
      const { storage } = makeStorage(a, new SetClock(start + HOUR), {
        maintenance: { statementTimeout: '1m' },
        chunks: { enabled: false },
      });
      await storage.write(series('device_up', { device: 'slow' }, start, MIN, Array(60).fill(1)));
      // A first round creates the rollup partitions (so the next needs no DDL) and rolls up nothing.
      await storage.maintain(start);
      // Another session holds the 5-minute rollup table until PostgreSQL shows one of the
      // rollup's statements waiting on that lock for longer than the pool's 1 s timeout.
      const order: string[] = [];
      const holder = holdTransaction(
        b,
        (tx) => tx.query('LOCK TABLE ispm_rollup_5m IN ACCESS EXCLUSIVE MODE'),
        () => order.push('lock released'),
      );
      await holder.entered;
      const maintaining = storage.maintain(start + HOUR + MIN).then((report) => {
        order.push('rollup done');
        return report;
      });
      await vi.waitFor(
        async () => {
          const waiting = await b.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'
                AND clock_timestamp() - query_start > interval '1500 milliseconds'`,
          );
          expect(waiting.rows[0]?.n).toBeGreaterThan(0);
        },
        { timeout: 60_000, interval: 100 },
      );
      holder.release();
      const report = await maintaining;
      await holder.done;
      expect(order).toEqual(['lock released', 'rollup done']);
      expect(report.rollups).toMatchObject({ ran: true, fiveMinUntil: start + HOUR });
      expect(report.rollups?.rows5m).toBeGreaterThanOrEqual(12);
      // The pool's own statements still stop at 1 s.
      await expect(a.query('SELECT pg_sleep(1.5)')).rejects.toThrow(/statement timeout/);
    }));

  it('a connection dropped between two queries of a transaction fails that transaction, not the process', async () => {
    const url = await pg.server.createDatabase('dropped_tx');
    const a = await openPg({ url, max: 1 });
    const b = await openPg({ url });
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const failed = a.transaction(async (tx) => {
        const pid = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
        // The server ends this backend while the transaction's code is between two queries.
        await b.query('SELECT pg_terminate_backend($1)', [pid]);
        await new Promise((r) => setTimeout(r, 300));
        await tx.query('SELECT 1');
      });
      await expect(failed).rejects.toThrow();
      expect(uncaught).toEqual([]);
      // The dropped connection was discarded: the pool's next query gets a live one.
      expect((await a.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await a.close();
      await b.close();
    }
  });

  it("a replica's rollup round holds its lock while it computes; another replica's round skips", () =>
    twoReplicas('rollup_lock', {}, async (a, b) => {
      const { makeStorage, SetClock, T0, series, HOUR, MIN } = await import('./support/harness.js');
      const { runRollups } = await import('../src/maintenance/rollups.js');
      const start = T0 + 3 * HOUR;
      const { storage } = makeStorage(a, new SetClock(start + HOUR));
      await storage.write(series('device_up', { device: 'lk' }, start, MIN, Array(60).fill(1)));
      // Replica b tries its round at the moment a's round is computing the 5-minute rollup.
      let during: Awaited<ReturnType<typeof runRollups>> | undefined;
      const spy = {
        ...a,
        transaction: (fn: Parameters<Db['transaction']>[0]) =>
          a.transaction((tx) =>
            fn({
              ...tx,
              query: async (sql: string, params?: readonly unknown[]) => {
                if (during === undefined && sql.includes('INSERT INTO ispm_rollup_5m'))
                  during = await runRollups(b, start + HOUR + MIN, 30 * MIN, 60_000);
                return tx.query(sql, params);
              },
            } as typeof tx),
          ),
      } as Db;
      const mine = await runRollups(spy, start + HOUR + MIN, 30 * MIN, 60_000);
      expect(during).toMatchObject({ ran: false, rows5m: 0 });
      expect(mine).toMatchObject({ ran: true, rows1h: 1, fiveMinUntil: start + HOUR });
      expect(mine.rows5m).toBeGreaterThanOrEqual(12);
      // Once a's round is over, b's finds nothing left to do.
      expect(await runRollups(b, start + HOUR + MIN, 30 * MIN, 60_000)).toMatchObject({
        ran: true,
        rows5m: 0,
        rows1h: 0,
      });
    }));
});
