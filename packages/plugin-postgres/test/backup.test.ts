/**
 * Backup and restore with the standard tools, exactly as the README documents them:
 * `pg_dump` of the database to a plain SQL file, `psql -f` into a fresh database.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPg } from '../src/db/pg.js';
import type { Db } from '../src/db/types.js';
import { recordFacts, recordStatus } from '../src/inventory/facts.js';
import { createStateStore } from '../src/inventory/stores.js';
import { applyMigrations } from '../src/schema/migrate.js';
import { DAY, HOUR, MIN, makeStorage, SetClock, series, T0 } from './support/harness.js';
import { type PgServer, pgMissing, startPgServer } from './support/pg-server.js';

const missing = pgMissing();
if (missing) console.warn(`skipping the backup test: ${missing}`);

const TABLES = [
  'ispm_schema_migrations',
  'ispm_series',
  'ispm_samples',
  'ispm_chunks',
  'ispm_chunk_times',
  'ispm_rollup_5m',
  'ispm_rollup_1h',
  'ispm_rollup_state',
  'ispm_devices',
  'ispm_state',
  'ispm_device_system',
  'ispm_device_status',
  'ispm_interfaces',
  'ispm_pppoe_sessions',
];

/** Every row of every table, as one digest per table (order-independent). */
async function digest(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    const res = await db.query<{ n: number; h: string | null }>(
      `SELECT count(*)::int AS n, md5(string_agg(x::text, '|' ORDER BY x::text)) AS h FROM ${t} x`,
    );
    out[t] = `${res.rows[0]?.n}:${res.rows[0]?.h}`;
  }
  return out;
}

describe.skipIf(missing)('backup and restore (pg_dump, psql)', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPgServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('restores the same rows into a fresh database, and the plugin carries on there', async () => {
    const source = await openPg({ url: await server.createDatabase('prod') });
    await applyMigrations(source);
    const clock = new SetClock(T0 + 6 * HOUR);
    const { storage } = makeStorage(source, clock);
    const values = [...Array(300).keys()].map((i) => 2n ** 63n + BigInt(i) * 12_345n);
    await storage.write([
      ...series('interface_in_octets_total', { device: 'r1', ifName: 'e1' }, T0, MIN, values),
      ...series(
        'device_cpu_load_ratio',
        { device: 'r1' },
        T0,
        MIN,
        values.map((_, i) => i / 300),
      ),
    ]);
    await storage.maintain(T0 + 6 * HOUR);
    await recordFacts(
      source,
      { id: 'r1', host: '127.0.0.1', driver: 'x' },
      {
        system: { name: 'r1' },
        interfaces: [{ index: 1, name: 'e1' }],
        pppoeSessions: [{ user: 'alice', address: '100.64.0.1' }],
      },
      T0,
    );
    await recordStatus(source, 'r1', 'unknown', 'online', T0);
    await createStateStore(async () => source).set('alerts', 'fp', { firing: true });
    const before = await digest(source);
    // Maintenance compacts closed windows into chunks: the 600 samples are rows or chunk counts.
    const stored = await source.query<{ n: number }>(
      'SELECT ((SELECT count(*) FROM ispm_samples) + (SELECT coalesce(sum(count), 0) FROM ispm_chunks))::int AS n',
    );
    expect(stored.rows[0]?.n).toBe(600);
    await source.close();

    const file = join(server.dir, 'backup.sql');
    await server.tool('pg_dump', [...server.clientArgs('prod'), '-f', file]);
    const restoredUrl = await server.createDatabase('restored');
    await server.tool('psql', [...server.clientArgs('restored'), '-v', 'ON_ERROR_STOP=1', '-q', '-f', file]);

    const restored = await openPg({ url: restoredUrl });
    try {
      expect(await digest(restored)).toEqual(before);
      expect(await applyMigrations(restored)).toEqual({ applied: [], version: 8 });
      const { storage: again } = makeStorage(restored, new SetClock(T0 + 6 * HOUR));
      const back = await again.rawSamples('interface_in_octets_total', { device: 'r1' }, T0, T0 + DAY);
      expect(back.map((s) => s.value)).toEqual(values);
      // Identity sequences came back too: new series and rows go on without conflicts.
      await again.write([{ name: 'device_up', labels: { device: 'r2' }, value: 1, ts: T0 + 5 * HOUR }]);
      expect(await again.latest('device_up', { device: 'r2' })).toHaveLength(1);
    } finally {
      await restored.close();
    }
  }, 120_000);
});
