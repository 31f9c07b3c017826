import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openPglite, pgliteWorkerOf } from '../src/db/pglite.js';
import type { Db } from '../src/db/types.js';
import { PostgresErrorCodes } from '../src/errors.js';
import { makeStorage, SetClock, T0 } from './support/harness.js';
import { holdTransaction } from './support/latch.js';
import { closeSharedPglite, sharedPglite } from './support/pglite.js';

// Two PGlite instances start here (seconds each, much more on a loaded machine).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 240_000 });

/** Settles to the error a promise rejects with (or fails the test if it resolves). */
async function failure(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

/**
 * A handshake through the data folder that only a free main thread completes: the function first
 * writes the file `started`, then runs until the file `flag` appears (or ~30 s pass) and says
 * whether it saw it. The main thread writes `flag` from a timer once it sees `started`, which it
 * can only do while PGlite is still inside the statement if PGlite does not block this thread.
 */
const WAIT_FOR_FLAG = 'SELECT ispm_wait_for_flag($1, $2) AS seen';
const WAIT_FN = `CREATE FUNCTION ispm_wait_for_flag(started text, flag text) RETURNS boolean
  LANGUAGE plpgsql AS $$
  DECLARE i int := 0;
  BEGIN
    EXECUTE format('COPY (SELECT 1) TO %L', current_setting('data_directory') || '/' || started);
    WHILE (pg_stat_file(flag, true)).size IS NULL LOOP
      IF i >= 3000 THEN RETURN false; END IF;
      PERFORM pg_sleep(0.01);
      i := i + 1;
    END LOOP;
    RETURN true;
  END $$`;

describe('PGlite in a worker thread', () => {
  afterAll(closeSharedPglite);

  it('is the default: statements run in a worker, results and parameters cross intact', async () => {
    const db = await sharedPglite();
    expect(pgliteWorkerOf(db)).toBeDefined();
    const bytes = new Uint8Array([0, 1, 254, 255]);
    const at = new Date(T0);
    const { rows } = await db.query<{ n: string; b: Uint8Array; t: Date; j: unknown; nul: null }>(
      'SELECT $1::int8::text AS n, $2::bytea AS b, $3::timestamptz AS t, $4::jsonb AS j, NULL AS nul',
      [2n ** 63n - 1n, bytes, at, JSON.stringify({ a: [1, 'x'] })],
    );
    expect(rows[0]?.n).toBe('9223372036854775807');
    expect([...(rows[0]?.b ?? [])]).toEqual([0, 1, 254, 255]);
    expect(rows[0]?.t.getTime()).toBe(T0);
    expect(rows[0]?.j).toEqual({ a: [1, 'x'] });
    expect(rows[0]?.nul).toBeNull();
    // A parameter that cannot cross the thread boundary fails that call alone.
    const bad = await failure(db.query('SELECT $1::text', [() => 1]));
    expect(bad.message).toMatch(/could not be cloned/);
    expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it("keeps PostgreSQL's error fields: code, message, constraint, detail, position", async () => {
    const db = await sharedPglite();
    const div = await failure(db.query('SELECT 1/0'));
    expect(div).toBeInstanceOf(Error);
    expect(div).toMatchObject({ code: '22012', message: 'division by zero', severity: 'ERROR' });
    const syntax = await failure(db.query('SELEC 1'));
    expect(syntax).toMatchObject({ code: '42601', position: '1' });
    await db.query('CREATE TABLE w_unique (k int CONSTRAINT w_unique_k PRIMARY KEY)');
    await db.query('INSERT INTO w_unique VALUES (1)');
    const dup = await failure(db.query('INSERT INTO w_unique VALUES (1)'));
    expect(dup).toMatchObject({ code: '23505', constraint: 'w_unique_k', table: 'w_unique' });
    expect(String(dup.detail)).toContain('(k)=(1)');
  });

  it('a transaction commits as one; a failing callback or statement rolls it all back', async () => {
    const db = await sharedPglite();
    await db.query('CREATE TABLE w_tx (k int PRIMARY KEY, v text)');
    const out = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO w_tx VALUES (1, $1)', ['a']);
      await tx.copy({ table: 'w_tx', columns: ['k', 'v'], rows: [[2, 'tab\there']] });
      await tx.copy({ table: 'w_tx', columns: ['k'], rows: [[3]], binary: ['int4'] });
      return (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM w_tx')).rows[0]?.n;
    });
    expect(out).toBe(3);
    expect((await db.query('SELECT v FROM w_tx WHERE k = 2')).rows).toEqual([{ v: 'tab\there' }]);

    const thrown = await failure(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO w_tx VALUES (10, $1)', ['rolled back']);
        throw new Error('callback failed');
      }),
    );
    expect(thrown.message).toBe('callback failed');
    const sqlFailed = await failure(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO w_tx VALUES (11, $1)', ['rolled back']);
        await tx.query('INSERT INTO w_tx VALUES (1, $1)', ['duplicate']);
      }),
    );
    expect(sqlFailed.code).toBe('23505');
    expect((await db.query<{ k: number }>('SELECT k FROM w_tx ORDER BY k')).rows.map((r) => r.k)).toEqual([
      1, 2, 3,
    ]);
  });

  it('statements outside an open transaction wait for it to end, then see its rows', async () => {
    const db = await sharedPglite();
    await db.query('CREATE TABLE w_wait (k int)');
    const order: string[] = [];
    let outside: Promise<unknown> | undefined;
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO w_wait VALUES (1)');
      outside = db
        .query<{ n: number }>('SELECT count(*)::int AS n FROM w_wait')
        .then((r) => order.push(`outside saw ${r.rows[0]?.n}`));
      // The outside statement is queued in the worker behind this transaction: these still run.
      await tx.query('INSERT INTO w_wait VALUES (2)');
      order.push('transaction body done');
    });
    await outside;
    expect(order).toEqual(['transaction body done', 'outside saw 2']);
  });

  it('a single statement sent while transactions are queued runs before them (a chart does not wait for the sink)', async () => {
    const db = await sharedPglite();
    await db.query('CREATE TABLE w_prio (k int)');
    const order: string[] = [];
    const first = holdTransaction(
      db,
      (tx) => tx.query('INSERT INTO w_prio VALUES (1)'),
      () => order.push('first ends'),
    );
    await first.entered;
    // Two writers queue their transactions, then a reader asks.
    const writers = [2, 3].map((k) =>
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO w_prio VALUES ($1)', [k]);
        order.push(`writer ${k}`);
      }),
    );
    const reader = db
      .query<{ n: number }>('SELECT count(*)::int AS n FROM w_prio')
      .then((r) => order.push(`reader saw ${r.rows[0]?.n}`));
    // Messages reach the worker in the order they were posted: both BEGINs and the reader's
    // statement are queued there before the first transaction's COMMIT.
    first.release();
    await Promise.all([first.done, ...writers, reader]);
    expect(order[0]).toBe('first ends');
    expect(order[1]).toBe('reader saw 1');
    expect(order.slice(2).sort()).toEqual(['writer 2', 'writer 3']);
  });

  describe('on a data folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'ispm-pglite-worker-'));
    const dataDir = join(root, 'db');
    let db: Db;
    const gone: Error[] = [];
    beforeAll(async () => {
      db = await openPglite({ dataDir, onWorkerGone: (err) => gone.push(err) });
      await db.query(WAIT_FN);
    });
    afterAll(async () => {
      await db?.close();
      rmSync(root, { recursive: true, force: true });
    });

    it("leaves this thread's timers free while PGlite is busy", async () => {
      const events: string[] = [];
      const busy = db
        .query<{ seen: boolean }>(WAIT_FOR_FLAG, ['started-1', 'flag-1'])
        .then((r) => events.push(`query done (flag seen: ${r.rows[0]?.seen})`));
      const timer = setInterval(() => {
        if (!existsSync(join(dataDir, 'started-1'))) return;
        clearInterval(timer);
        events.push('timer saw the statement running');
        writeFileSync(join(dataDir, 'flag-1'), 'x');
      }, 5);
      await busy;
      clearInterval(timer);
      expect(events).toEqual(['timer saw the statement running', 'query done (flag seen: true)']);
    });

    it('a crashed worker fails pending and later calls clearly, is reported, and does not take the process down', async () => {
      const pending = db.query(WAIT_FOR_FLAG, ['started-2', 'never-written']);
      const inTx = failure(db.transaction(async (tx) => tx.query('SELECT pg_sleep(30)')));
      await pgliteWorkerOf(db)?.terminate();
      const err = await failure(pending);
      // A MonitorError of the plugin's table: the server answers it with its status hint.
      expect(err).toMatchObject({ code: PostgresErrorCodes.DB_WORKER_GONE, status: 503, plugin: 'postgres' });
      expect(err.message).toMatch(/PGlite worker thread exited .*unavailable until the monitor restarts/);
      expect((await inTx).code).toBe(PostgresErrorCodes.DB_WORKER_GONE);
      expect((await failure(db.query('SELECT 1'))).code).toBe(PostgresErrorCodes.DB_WORKER_GONE);
      expect(gone).toHaveLength(1);
      // The storage health check (what /ready and `healthcheck` read) reports it.
      const { storage } = makeStorage(db, new SetClock(T0));
      const health = await storage.health();
      expect(health.status).toBe('fail');
      expect(health.message).toContain('PGlite worker thread exited');
      // Closing still works and frees the folder for the next start.
      await db.close();
      expect(existsSync(`${dataDir}.lock`)).toBe(false);
    });
  });
});
