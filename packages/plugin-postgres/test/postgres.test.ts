import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPg } from '../src/db/pg.js';
import type { Db } from '../src/db/types.js';
import { applyMigrations } from '../src/schema/migrate.js';
import { type PgServer, pgMissing, startPgServer } from './support/pg-server.js';
import { storeSuite } from './support/store-suite.js';

const missing = pgMissing();
if (missing) console.warn(`skipping PostgreSQL tests: ${missing}`);

describe.skipIf(missing)('PostgreSQL 15', () => {
  let server: PgServer;
  let db: Db;
  beforeAll(async () => {
    server = await startPgServer();
    db = await openPg({ url: await server.createDatabase('suite') });
  });
  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });

  storeSuite(async () => db);

  it('replicas migrating at the same time apply each migration once (advisory lock)', async () => {
    const url = await server.createDatabase('race');
    const pools = await Promise.all([1, 2, 3, 4].map(() => openPg({ url, max: 2 })));
    try {
      const reports = await Promise.all(pools.map((p) => applyMigrations(p)));
      expect(reports.flatMap((r) => r.applied)).toEqual([1]);
      expect(reports.every((r) => r.version === 1)).toBe(true);
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  });
});
