import { afterAll } from 'vitest';
import { interfaceAddressSuite } from './interface-addresses-suite.js';
import { closeSharedPglite, sharedPglite } from './support/pglite.js';

// One in-memory PGlite for the file (it takes seconds to start); each test empties its schema.
afterAll(closeSharedPglite);

async function freshDb() {
  const db = await sharedPglite();
  await db.query('DROP SCHEMA public CASCADE');
  await db.query('CREATE SCHEMA public');
  return db;
}

interfaceAddressSuite(freshDb);
