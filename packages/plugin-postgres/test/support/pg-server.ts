/**
 * Starts a throw-away PostgreSQL 15 for tests: initdb in a temp folder, owned by the unprivileged
 * `postgres` user (we run as root, and PostgreSQL refuses root), listening on a free loopback
 * port only, trust auth on loopback. `stop()` removes everything.
 */
import { join } from 'node:path';
import { freePort, missingBinary } from '@ispmonitor/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { PG_BIN, type Postgres, startPostgres } from '../../../../test/support/pg-server.mjs';
import { openPg } from '../../src/db/pg.js';
import type { Db } from '../../src/db/types.js';

export { freePort, PG_BIN };

/**
 * Why PostgreSQL tests cannot run here, or undefined when they can. The project's one rule
 * (core/testing `missingPeer`): in strict mode (scripts/test.sh, CI) a missing server fails the run.
 */
export function pgMissing(): string | undefined {
  return missingBinary(join(PG_BIN, 'initdb'), 'postgresql-15');
}

/** A running test server (test/support/pg-server.mjs, shared with the benchmarks). */
export type PgServer = Postgres;

/** Durability off (a test's data dies with it), small memory: many servers run side by side. */
const TEST_SETTINGS = [
  'fsync = off',
  'synchronous_commit = off',
  'full_page_writes = off',
  'max_connections = 50',
  "shared_buffers = '256MB'",
  "max_wal_size = '2GB'",
];

/** Starts a fresh server; call `stop()` in afterAll. */
export function startPgServer(): Promise<PgServer> {
  return startPostgres({ prefix: 'ispm-pg-', settings: TEST_SETTINGS });
}

/**
 * For a describe block: one PostgreSQL for the block, and `fresh()` opens a new database on it
 * (named `<prefix><n>`), closed with the server after the block.
 */
export function freshPgDatabases(prefix: string): { fresh(): Promise<Db> } {
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
  return {
    async fresh() {
      const db = await openPg({ url: await server.createDatabase(`${prefix}${n++}`) });
      open.push(db);
      return db;
    },
  };
}
