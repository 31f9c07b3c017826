/**
 * A throw-away PostgreSQL 15 for the cluster tests: plugin-postgres's test server (initdb in a
 * temp folder as the `postgres` user, trust auth, loopback only, a free port), seen through the
 * few operations these tests need. It can be stopped and started again on the same port, to test
 * a database outage.
 */
import { missingPeer } from '@ispmonitor/core/testing';
import {
  pgMissing as serverMissing,
  startPgServer,
} from '../../../plugin-postgres/test/support/pg-server.js';

/** Why the tests cannot run here, or undefined. In strict mode a missing PostgreSQL is an error. */
export function pgMissing(): string | undefined {
  return missingPeer(serverMissing());
}

/** A running test server. */
export interface TestPg {
  url: string;
  /** `pg_ctl stop -m fast`: every connection is cut. */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
}

/** Starts a fresh server. */
export async function startTestPg(): Promise<TestPg> {
  const server = await startPgServer();
  return {
    url: server.url(),
    stopServer: () => server.stopServer(),
    startServer: () => server.startServer(),
    destroy: () => server.stop(),
  };
}
