/**
 * A throw-away PostgreSQL 15 for the cluster tests: initdb in a temp folder as the unprivileged
 * `postgres` user (PostgreSQL refuses root), trust auth, loopback only, on a free port. It can be
 * stopped and started again on the same port, to test a database outage.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, missingPeer } from '@ispmonitor/core/testing';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';

/** Why the tests cannot run here, or undefined. In strict mode a missing PostgreSQL is an error. */
export function pgMissing(): string | undefined {
  if (existsSync(join(PG_BIN, 'initdb'))) return undefined;
  return missingPeer(`${PG_BIN}/initdb not found (Debian package postgresql)`);
}

const asPostgres = (cmd: string, args: string[]) =>
  run('runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args], {
    timeout: 60_000,
    env: { ...process.env, LC_ALL: 'C' },
  });

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
  const dir = mkdtempSync(join(tmpdir(), 'ispm-cluster-pg-'));
  const data = join(dir, 'data');
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  chownSync(dir, uid, gid);
  await asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  writeFileSync(
    join(data, 'postgresql.auto.conf'),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'max_connections = 100',
    ].join('\n'),
  );
  const pg: TestPg = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stopServer() {
      await asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    async startServer() {
      await asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
    },
    async destroy() {
      await pg.stopServer().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await pg.startServer();
  return pg;
}
