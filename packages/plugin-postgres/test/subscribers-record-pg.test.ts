/** The subscriber recorder on a real PostgreSQL 15. */
import { afterAll, beforeAll, describe } from 'vitest';
import { openPg } from '../src/db/pg.js';
import type { Db } from '../src/db/types.js';
import { applyMigrations } from '../src/schema/migrate.js';
import { type PgServer, pgMissing, startPgServer } from './support/pg-server.js';
import { recorderSuite } from './support/subscribers-record.js';

const missing = pgMissing();
if (missing) console.warn(`skipping the recorder on PostgreSQL: ${missing}`);

describe.skipIf(missing)('subscriber recorder on PostgreSQL 15', () => {
  let server: PgServer;
  let db: Db;
  beforeAll(async () => {
    server = await startPgServer();
    db = await openPg({ url: await server.createDatabase('recorder') });
    await applyMigrations(db);
  });
  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });
  recorderSuite(async () => db);
});
