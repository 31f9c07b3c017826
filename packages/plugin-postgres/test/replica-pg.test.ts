/**
 * Read replicas on a REAL PostgreSQL 15 standby: a primary with `wal_level = replica`, copied by
 * `pg_basebackup -R` and started on its own loopback port, replaying the primary's WAL. Reads go
 * to the standby, writes to the primary; a write read back at once is read from the primary until
 * the standby has replayed it; the standby going away sends reads to the primary, logged once.
 */
import { createMonitor } from '@ispmonitor/core';
import { createFakeLogger } from '@ispmonitor/core/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openPg } from '../src/db/pg.js';
import type { Db } from '../src/db/types.js';
import { checkDatabase, postgres, postgresStore } from '../src/index.js';
import { createInventoryStore } from '../src/inventory/stores.js';
import { createDbMetrics, createReplicaMetrics } from '../src/metrics.js';
import { optionsSchema } from '../src/options.js';
import { INSERT_END_SQL, type InsertEndRow } from '../src/replica/lsn.js';
import type { ReplicaProbe } from '../src/replica/probe.js';
import { ReadReplica } from '../src/replica/replica.js';
import { applyMigrations } from '../src/schema/migrate.js';
import { Storage } from '../src/store.js';
import { MIN, SetClock } from './support/harness.js';
import { type PgServer, pgMissing, startPgServer } from './support/pg-server.js';
import { enableReplication, type PgStandby, startStandby } from './support/pg-standby.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 240_000 });

const missing = pgMissing();

/** Checks until the standby has replayed everything the primary had flushed (state, not time). */
async function caughtUp(probe: ReplicaProbe): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const s = await probe.check();
    if (s.lagBytes === 0 && !s.waitingForReplay) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the standby never caught up');
}

describe.skipIf(missing)(`read replica on a PostgreSQL 15 standby${missing ? ` (${missing})` : ''}`, () => {
  let primary: PgServer;
  let standby: PgStandby;
  let url: string;
  let db: Db;
  const clock = new SetClock(Date.now());
  const logger = createFakeLogger();
  const registry = new Registry();
  let storage: Storage;
  let replica: ReadReplica;

  beforeAll(async () => {
    primary = await startPgServer();
    await enableReplication(primary);
    url = await primary.createDatabase('ispm');
    db = await openPg({ url });
    await applyMigrations(db);
    standby = await startStandby(primary);
    const options = optionsSchema.parse({
      url,
      readUrl: standby.url('ispm'),
      pool: { connectTimeout: '2s' },
    });
    const reads = createReplicaMetrics(registry, () => ({
      lagSeconds: replica.status.lagSeconds,
      lagBytes: replica.status.lagBytes,
      serving: replica.status.state === 'serving',
    }));
    replica = await ReadReplica.open(db, { ...options, readUrl: standby.url('ispm') }, clock, logger, reads);
    storage = new Storage(
      db,
      options,
      clock,
      createDbMetrics(registry, () => db.poolStats()),
      logger,
      replica,
    );
    // SetClock schedules nothing: each check below is explicit.
    await replica.start();
  });
  afterAll(async () => {
    await storage?.close();
    await standby?.stop();
    await primary?.stop();
  });

  /** Reads answered by the standby so far, from `ispmonitor_db_reads_total`. */
  const replicaReads = (scrape: string) => Number(/target="replica"} (\d+)/.exec(scrape)?.[1] ?? 0);
  const inRecovery = async (q: { query: Db['query'] }) =>
    (await q.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]?.r;

  it('sends reads to the standby and writes to the primary; the lag is a metric', async () => {
    expect(replica.status).toMatchObject({ state: 'serving', target: standby.url('ispm') });
    expect(await inRecovery(storage.reads)).toBe(true);
    expect(await inRecovery(storage.db)).toBe(false);

    const t = Math.floor(clock.now() / 1000) * 1000 - 10 * MIN;
    const batch = [0, 1, 2].map((i) => ({
      name: 'device_cpu_load_ratio',
      labels: { device: 'r1' },
      value: i / 10,
      ts: t + i * MIN,
    }));
    await storage.write(batch);
    await caughtUp(replica.probe);
    const before = await registry.getSingleMetricAsString('ispmonitor_db_reads_total');
    const [series] = await storage.range({
      name: 'device_cpu_load_ratio',
      from: t,
      to: t + 5 * MIN,
      step: MIN,
    });
    expect(series?.points.map(([ts]) => ts)).toEqual(batch.map((s) => s.ts));
    const after = await registry.getSingleMetricAsString('ispmonitor_db_reads_total');
    expect(replicaReads(after)).toBeGreaterThan(replicaReads(before));

    const scrape = await registry.metrics();
    expect(scrape).toMatch(/ispmonitor_db_replica_lag_seconds 0\b/);
    expect(scrape).toMatch(/ispmonitor_db_replica_lag_bytes 0\b/);
    expect(scrape).toMatch(/ispmonitor_db_replica_serving 1\b/);
    expect(await storage.storageStats()).toMatchObject({ replica: { state: 'serving', lagSeconds: 0 } });
    expect((await storage.health()).details).toMatchObject({ replica: { state: 'serving' } });
    expect(await checkDatabase({ url, readUrl: standby.url('ispm') })).toMatchObject({
      ok: true,
      replica: { state: 'serving', lagSeconds: expect.any(Number) },
    });
  });

  it('caught up means visible: 20 times, the read right after the check sees the write on the standby', async () => {
    // The test servers commit asynchronously: COMMIT returns before its WAL is flushed, so the
    // primary's flushed position can be behind a write the client has seen (the check once
    // compared the replica with it, and a fresh-clone run read nothing right after "lagBytes 0").
    const sync = await db.query<{ s: string }>("SELECT current_setting('synchronous_commit') AS s");
    expect(sync.rows[0]?.s).toBe('off');
    // The sizes the insert position is adjusted by (see insertEnd), as PostgreSQL reports them.
    const sizes = (await db.query<InsertEndRow>(INSERT_END_SQL)).rows[0];
    expect([Number(sizes?.block), Number(sizes?.segment)]).toEqual([8192, 16 * 1024 * 1024]);
    const t = Math.floor(clock.now() / 1000) * 1000 - 180 * MIN;
    for (let i = 0; i < 20; i++) {
      const labels = { device: `ryw-${i}` };
      await storage.write([{ name: 'ryw_marker_ratio', labels, value: i / 100, ts: t + i * MIN }]);
      await caughtUp(replica.probe);
      expect(replica.router.target()).toBe('replica');
      const before = replicaReads(await registry.getSingleMetricAsString('ispmonitor_db_reads_total'));
      const got = await storage.range({
        name: 'ryw_marker_ratio',
        labels,
        from: t,
        to: t + 30 * MIN,
        step: MIN,
      });
      expect(
        got[0]?.points.map(([ts]) => ts),
        `round ${i}`,
      ).toEqual([t + i * MIN]);
      const after = replicaReads(await registry.getSingleMetricAsString('ispmonitor_db_reads_total'));
      expect(after).toBeGreaterThan(before);
    }
  });

  it('a device read back at once: 20 times, from the primary until the standby has replayed it', async () => {
    const inventory = createInventoryStore(async () => db);
    for (let i = 0; i < 20; i++) {
      const id = `ryw-dev-${i}`;
      await inventory.put({ id, host: '127.0.0.1', driver: 'fake' });
      await storage.mustSeeWrites();
      expect(replica.status.waitingForReplay).toBe(true);
      expect(replica.router.target()).toBe('primary');
      // Read back at once: the primary answers, so the device is there whatever the standby's lag.
      expect((await storage.devices()).map((d) => d.id)).toContain(id);
      await caughtUp(replica.probe);
      expect(replica.router.target()).toBe('replica');
      expect(await inRecovery(storage.reads)).toBe(true);
      expect(
        (await storage.devices()).map((d) => d.id),
        `round ${i}`,
      ).toContain(id);
    }
  });

  it('reads inside readPrimary go to the primary', async () => {
    expect(await storage.readPrimary(async () => inRecovery(storage.reads))).toBe(false);
    expect(await inRecovery(storage.reads)).toBe(true);
  });

  it('the standby stopped: reads are answered by the primary, logged once, and once when it returns', async () => {
    const warnings = () => logger.records.filter((r) => r.level === 'warn' && /read replica/.test(r.msg));
    const backs = () =>
      logger.records.filter((r) => r.level === 'info' && /read replica serving/.test(r.msg));
    const backsBefore = backs().length;
    await standby.stopServer();
    // The pool's idle connections are gone with the server: the first read fails on the standby
    // and is answered by the primary.
    expect(await inRecovery(storage.reads)).toBe(false);
    expect((await storage.devices()).map((d) => d.id)).toContain('ryw-dev-0');
    expect(await inRecovery(storage.reads)).toBe(false);
    await replica.probe.check();
    expect(replica.status.state).toBe('unreachable');
    expect(
      await storage.range({
        name: 'device_cpu_load_ratio',
        from: clock.now() - 60 * MIN,
        to: clock.now(),
        step: MIN,
      }),
    ).toHaveLength(1);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]?.msg).toMatch(/unreachable: reads go to the primary/);
    expect(await registry.metrics()).toMatch(/ispmonitor_db_replica_serving 0\b/);
    // `ispmonitor healthcheck db` / offline diagnostics: the primary is fine, the replica is reported.
    expect(await checkDatabase({ url, readUrl: standby.url('ispm') })).toMatchObject({
      ok: true,
      replica: { state: 'unreachable' },
    });

    await standby.startServer();
    await caughtUp(replica.probe);
    expect(replica.status.state).toBe('serving');
    expect(await inRecovery(storage.reads)).toBe(true);
    expect(warnings()).toHaveLength(1);
    expect(backs()).toHaveLength(backsBefore + 1);
  });

  it('through the plugin: DATABASE_READ_URL reads on the standby, the lag in metrics and health', async () => {
    const m = await createMonitor({
      plugins: [postgres({ url, readUrl: standby.url('ispm'), maintenance: { interval: '1h' } })],
      logger: createFakeLogger(),
    });
    await m.start();
    try {
      const store = m.resolve(postgresStore);
      expect(store.replicaStatus()?.state).toBe('serving');
      expect((await store.devices()).map((d) => d.id)).toContain('ryw-dev-0');
      const scrape = await m.metrics.metrics();
      expect(scrape).toMatch(/ispmonitor_db_replica_lag_seconds \d/);
      expect(scrape).toMatch(/ispmonitor_db_replica_serving 1\b/);
      expect(scrape).toMatch(/ispmonitor_db_reads_total\{target="replica"\} [1-9]/);
      expect((await m.health()).checks['postgres:database']?.details).toMatchObject({
        replica: { state: 'serving' },
      });
    } finally {
      await m.stop();
    }
  });
});

describe('readUrl without a PostgreSQL url', () => {
  it('is refused with a clear message: PGlite has no replicas', async () => {
    await expect(
      createMonitor({ plugins: [postgres({ memory: true, readUrl: 'postgres://127.0.0.1:1/x' })] }),
    ).rejects.toThrow(/readUrl .*needs database\.url.*PGlite/);
  });
});
