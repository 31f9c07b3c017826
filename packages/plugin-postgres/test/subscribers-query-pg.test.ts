import { afterAll, beforeAll, describe } from 'vitest';
import { openPg } from '../src/db/pg.js';
import type { Db } from '../src/db/types.js';
import { importSuite } from './subscribers-query-import-suite.js';
import { subscriberSuite } from './subscribers-query-suite.js';
import { type PgServer, pgMissing, startPgServer } from './support/pg-server.js';

const missing = pgMissing();
if (missing) console.warn(`skipping PostgreSQL tests: ${missing}`);

describe.skipIf(missing)('subscriber reads on PostgreSQL 15', () => {
  let server: PgServer;
  const open: Db[] = [];
  let n = 0;
  beforeAll(async () => {
    server = await startPgServer();
  });
  afterAll(async () => {
    for (const db of open) await db.close();
    await server?.stop();
  });

  /** A new database for each test: rollup watermarks are global to a database. */
  async function freshDb(): Promise<Db> {
    const db = await openPg({ url: await server.createDatabase(`sq${n++}`) });
    open.push(db);
    return db;
  }

  importSuite(freshDb);
  subscriberSuite(freshDb);
});
