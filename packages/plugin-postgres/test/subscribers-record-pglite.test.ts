/** The subscriber recorder on PGlite (one in-memory instance for the file: it takes seconds to start). */
import { afterAll, beforeAll, describe } from 'vitest';
import { applyMigrations } from '../src/schema/migrate.js';
import { closeSharedPglite, sharedPglite } from './support/pglite.js';
import { recorderSuite } from './support/subscribers-record.js';

describe('subscriber recorder on PGlite', () => {
  beforeAll(async () => {
    await applyMigrations(await sharedPglite());
  });
  afterAll(closeSharedPglite);
  recorderSuite(sharedPglite);
});
