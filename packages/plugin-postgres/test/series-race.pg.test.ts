/**
 * Two writers (two replicas, each with its own pool and series cache) create the same series at
 * the same moment on a real PostgreSQL 15: the race ingest-encode.test.ts plays against a fake
 * database. The order is forced by events, not by timing: writer A's insert (a COPY) runs in a
 * transaction held open until writer B's is seen waiting on A's uncommitted rows
 * (pg_stat_activity); then A commits, B's COPY fails on those rows, its `ON CONFLICT DO NOTHING`
 * insert returns nothing for them, and B must find their ids by a look-up. Both writers must end with one id per series, the same ids.
 */
import { skipTitle } from '@ispmonitor/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPg } from '../src/db/pg.js';
import type { Db } from '../src/db/types.js';
import { SeriesCache, type SeriesKey } from '../src/ingest/series.js';
import { applyMigrations } from '../src/schema/migrate.js';
import { type PgServer, pgMissing, startPgServer } from './support/pg-server.js';

const missing = pgMissing();

/** The series `if_in_octets{device, ifName}` for interfaces `from` … `to - 1` of router r1. */
function interfaces(from: number, to: number): Map<string, SeriesKey> {
  const out = new Map<string, SeriesKey>();
  for (let i = from; i < to; i++) {
    const source = { device: 'r1', ifName: `ether${i}` };
    out.set(`k${i}`, { name: 'if_in_octets', labels: JSON.stringify(source), kind: 'counter', source });
  }
  return out;
}

/** `db`, except that the series COPY runs in a transaction that commits only on `release`. */
function holdingInserts(db: Db, inserted: () => void, release: Promise<void>): Db {
  const held: Db = {
    engine: db.engine,
    transaction: (fn) => db.transaction(fn),
    copy(spec) {
      if (spec.table !== 'ispm_series') return db.copy(spec);
      return db.transaction(async (tx) => {
        const n = await tx.copy(spec);
        inserted();
        await release;
        return n;
      });
    },
    poolStats: () => db.poolStats(),
    close: () => db.close(),
    query: (sql, params) => db.query(sql, params),
  };
  return held;
}

/** Resolves when a series COPY or INSERT is waiting on a row lock (another transaction's rows). */
async function insertWaitingOnLock(observer: Db): Promise<void> {
  for (;;) {
    const { rows } = await observer.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity
        WHERE wait_event_type = 'Lock'
          AND (query LIKE 'COPY ispm_series %' OR query LIKE '%INSERT INTO ispm_series%')`,
    );
    if (Number(rows[0]?.n) > 0) return;
    // Polls a state the server reports, a few milliseconds apart: not a timing assumption.
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.skipIf(missing)(
  skipTitle('two writers create the same series at once on PostgreSQL 15', missing),
  () => {
    let server: PgServer;
    const dbs: Db[] = [];
    const open = async (url: string) => {
      const db = await openPg({ url });
      dbs.push(db);
      return db;
    };
    beforeAll(async () => {
      server = await startPgServer();
    });
    afterAll(async () => {
      for (const db of dbs) await db.close();
      await server?.stop();
    });

    it('the writer whose insert waited on the other one’s rows looks them up: one id per series', async () => {
      const url = await server.createDatabase('race_held');
      const [a, b, observer] = [await open(url), await open(url), await open(url)];
      await applyMigrations(a);

      let inserted!: () => void;
      const aInserted = new Promise<void>((resolve) => {
        inserted = resolve;
      });
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const writerA = new SeriesCache(holdingInserts(a, inserted, released), 10_000);
      const writerB = new SeriesCache(b, 10_000);

      // A creates ether0–199 and holds its transaction open; B wants ether100–299: half of them
      // are A's uncommitted rows, so B's insert must wait for A.
      const outA = writerA.resolve(interfaces(0, 200));
      await aInserted;
      const outB = writerB.resolve(interfaces(100, 300));
      await insertWaitingOnLock(observer);
      release();
      const [idsA, idsB] = await Promise.all([outA, outB]);

      expect(idsA.size).toBe(200);
      expect(idsB.size).toBe(200);
      for (let i = 100; i < 200; i++) expect(idsB.get(`k${i}`), `ether${i}`).toBe(idsA.get(`k${i}`));
      const all = new Map([...idsA, ...idsB]);
      expect(new Set(all.values()).size).toBe(300);
      const { rows } = await observer.query<{ n: string; distinct_ids: string }>(
        `SELECT count(*) AS n, count(DISTINCT id) AS distinct_ids FROM ispm_series WHERE name = 'if_in_octets'`,
      );
      expect(rows[0]).toEqual({ n: '300', distinct_ids: '300' });
      // What B cached for the series A created is A's id.
      expect(writerB.get('if_in_octets', { device: 'r1', ifName: 'ether150' })).toBe(idsA.get('k150'));
    });

    it('four writers on their own pools creating the same 500 series at once agree on every id', async () => {
      const url = await server.createDatabase('race_four');
      const pools = [await open(url), await open(url), await open(url), await open(url)];
      await applyMigrations(pools[0] as Db);
      const wanted = interfaces(0, 500);
      const results = await Promise.all(pools.map((db) => new SeriesCache(db, 10_000).resolve(wanted)));
      const first = results[0] as Map<string, number>;
      expect(first.size).toBe(500);
      expect(new Set(first.values()).size).toBe(500);
      for (const other of results.slice(1)) expect(other).toEqual(first);
      const { rows } = await (pools[0] as Db).query<{ n: string }>(
        `SELECT count(*) AS n FROM ispm_series WHERE name = 'if_in_octets'`,
      );
      expect(rows[0]?.n).toBe('500');
    });

    it('two writers creating 4,000 series in opposite orders at once, two statements each, agree on every id', async () => {
      // Each splits its batch between two connections; in opposite orders their inserts can
      // wait on each other's rows (a deadlock PostgreSQL breaks by failing one): the failed
      // share is inserted again skipping what exists, and the rest looked up.
      const url = await server.createDatabase('race_lanes');
      const [a, b] = [await open(url), await open(url)];
      await applyMigrations(a);
      const forward = interfaces(0, 4000);
      const backward = new Map([...forward].reverse());
      const [idsA, idsB] = await Promise.all([
        new SeriesCache(a, 10_000).resolve(forward),
        new SeriesCache(b, 10_000).resolve(backward),
      ]);
      expect(idsA.size).toBe(4000);
      expect(new Set(idsA.values()).size).toBe(4000);
      for (const [k, id] of idsA) expect(idsB.get(k), k).toBe(id);
      const { rows } = await a.query<{ n: string; distinct_ids: string }>(
        `SELECT count(*) AS n, count(DISTINCT id) AS distinct_ids FROM ispm_series WHERE name = 'if_in_octets'`,
      );
      expect(rows[0]).toEqual({ n: '4000', distinct_ids: '4000' });
    });
  },
);
