import { describe } from 'vitest';
import { importSuite } from './subscribers-query-import-suite.js';
import { subscriberSuite } from './subscribers-query-suite.js';
import { freshPgDatabases, pgMissing } from './support/pg-server.js';

const missing = pgMissing();
if (missing) console.warn(`skipping PostgreSQL tests: ${missing}`);

describe.skipIf(missing)('subscriber reads on PostgreSQL 15', () => {
  // A new database for each test: rollup watermarks are global to a database.
  const dbs = freshPgDatabases('sq');
  importSuite(() => dbs.fresh());
  subscriberSuite(() => dbs.fresh());
});
