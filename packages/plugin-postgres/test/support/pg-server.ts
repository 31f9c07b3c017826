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
import { applyMigrations } from '../../src/schema/migrate.js';

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

/** One PostgreSQL for a describe block, with one database of the block on it (`pgForBlock`). */
export interface BlockPg {
  /** The server (stop, start, tools): from the block's first hook on. */
  readonly server: PgServer;
  /** URL of the block's database. */
  readonly url: string;
  /** A pool on the block's database, opened (and migrated, with `migrate`) at the first call. */
  db(): Promise<Db>;
  /** A new database on the server, named `<prefix><n>`, and a pool on it. */
  fresh(prefix: string): Promise<Db>;
}

/**
 * For a describe block: starts a PostgreSQL and creates `database` on it before the block's
 * tests; after them, closes every pool it opened and stops the server.
 */
export function pgForBlock(database: string, options: { migrate?: boolean } = {}): BlockPg {
  let server: PgServer | undefined;
  let url: string | undefined;
  let blockDb: Promise<Db> | undefined;
  const pools: Db[] = [];
  let n = 0;
  beforeAll(async () => {
    server = await startPgServer();
    url = await server.createDatabase(database);
  });
  afterAll(async () => {
    for (const db of pools) await db.close();
    await server?.stop();
  });
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('pgForBlock: the server is started in the block’s beforeAll');
    return v;
  };
  const openOn = async (dbUrl: string): Promise<Db> => {
    const db = await openPg({ url: dbUrl });
    pools.push(db);
    return db;
  };
  return {
    get server() {
      return ready(server);
    },
    get url() {
      return ready(url);
    },
    db() {
      blockDb ??= openOn(ready(url)).then(async (db) => {
        if (options.migrate) await applyMigrations(db);
        return db;
      });
      return blockDb;
    },
    async fresh(prefix) {
      return openOn(await ready(server).createDatabase(`${prefix}${n++}`));
    },
  };
}

/**
 * For a describe block: one PostgreSQL for the block, and `fresh()` opens a new database on it
 * (named `<prefix><n>`), closed with the server after the block.
 */
export function freshPgDatabases(prefix: string): { fresh(): Promise<Db> } {
  const pg = pgForBlock(`${prefix}block`);
  return { fresh: () => pg.fresh(prefix) };
}
