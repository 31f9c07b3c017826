/**
 * PostgreSQL for the server's tests: plugin-postgres's throw-away test server, with the project's
 * skip-or-fail rule (core/testing `missingPeer`: a strict run fails without PostgreSQL, any other
 * run skips saying why), and one server per describe block.
 */
import { missingPeer } from '@ispmonitor/core/testing';
import { afterAll, beforeAll } from 'vitest';
import {
  type PgServer,
  pgMissing,
  startPgServer,
} from '../../../../packages/plugin-postgres/test/support/pg-server.js';

export type { PgServer };
export { startPgServer };

/** Why PostgreSQL tests cannot run here, or undefined when they can (throws in a strict run). */
export function pgUnavailable(): string | undefined {
  return missingPeer(pgMissing());
}

/**
 * Starts one PostgreSQL for the enclosing describe block (stopped after it) and returns a getter
 * for it, so that each test creates the databases it needs: `const pg = pgForBlock();` then
 * `await pg().createDatabase('x')`.
 */
export function pgForBlock(): () => PgServer {
  let server: PgServer | undefined;
  beforeAll(async () => {
    server = await startPgServer();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('PostgreSQL for this block did not start');
    return server;
  };
}
