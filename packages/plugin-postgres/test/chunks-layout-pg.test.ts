import { describe, it } from 'vitest';
import { layoutSuite } from './chunks-layout-suite.js';
import { freshPgDatabases, pgMissing } from './support/pg-server.js';

const missing = pgMissing();
if (missing) describe.skip(`chunks on PostgreSQL 15: ${missing}`, () => it('needs PostgreSQL', () => {}));
else {
  const pg = freshPgDatabases('chunks_layout_');
  layoutSuite(async () => [await pg.fresh(), await pg.fresh()]);
}
