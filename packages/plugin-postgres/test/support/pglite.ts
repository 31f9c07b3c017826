/** One in-memory PGlite per test file: starting one takes seconds. */
import { openPglite } from '../../src/db/pglite.js';
import type { Db } from '../../src/db/types.js';

let shared: Promise<Db> | undefined;

/** The file's shared in-memory PGlite (opened on first use). */
export function sharedPglite(): Promise<Db> {
  shared ??= openPglite({ memory: true });
  return shared;
}

/** The shared PGlite with an empty `public` schema: each test of a suite starts from nothing. */
export async function emptySharedPglite(): Promise<Db> {
  const db = await sharedPglite();
  await db.query('DROP SCHEMA public CASCADE');
  await db.query('CREATE SCHEMA public');
  return db;
}

/** Closes the shared instance (afterAll). */
export async function closeSharedPglite(): Promise<void> {
  const db = await shared;
  shared = undefined;
  await db?.close();
}
