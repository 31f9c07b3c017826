import { describe } from 'vitest';
import { interfaceAddressSuite } from './interface-addresses-suite.js';
import { freshPgDatabases, pgMissing } from './support/pg-server.js';

const missing = pgMissing();
if (missing) console.warn(`skipping PostgreSQL tests: ${missing}`);

describe.skipIf(missing)(
  `interface addresses on PostgreSQL 15${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    const dbs = freshPgDatabases('ia');
    interfaceAddressSuite(() => dbs.fresh());
  },
);
