import { afterAll, beforeAll, describe } from 'vitest';
import { openPg } from '../src/db/pg.js';
import type { Db } from '../src/db/types.js';
import { interfaceAddressSuite } from './interface-addresses-suite.js';
import { type PgServer, pgMissing, startPgServer } from './support/pg-server.js';

const missing = pgMissing();
if (missing) console.warn(`skipping PostgreSQL tests: ${missing}`);

describe.skipIf(missing)(
  `interface addresses on PostgreSQL 15${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
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

    async function freshDb(): Promise<Db> {
      const db = await openPg({ url: await server.createDatabase(`ia${n++}`) });
      open.push(db);
      return db;
    }

    interfaceAddressSuite(freshDb);
  },
);
