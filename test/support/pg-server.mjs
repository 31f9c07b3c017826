// A throw-away PostgreSQL 15 on loopback: initdb in a temp folder as the unprivileged `postgres`
// user (we run as root, and PostgreSQL refuses root), trust auth, a free port, no TCP beyond
// 127.0.0.1. Plain JavaScript: the benchmarks (no TypeScript) and the vitest suites share this
// one copy (bench/support/pg-server.mjs, packages/plugin-postgres/test/support/pg-server.ts);
// types in pg-server.d.mts.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's PostgreSQL 15 binaries. */
export const PG_BIN = '/usr/lib/postgresql/15/bin';
const RUN_AS = 'postgres';

/** A free TCP port on 127.0.0.1. */
export function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const asPostgres = (cmd, args, timeout) =>
  run('runuser', ['-u', RUN_AS, '--', cmd, ...args], {
    timeout,
    maxBuffer: 64 << 20,
    env: { ...process.env, LC_ALL: 'C' },
  });

/**
 * Creates a cluster (or reuses `dataDir` when it holds one already), writes `settings` to its
 * `postgresql.auto.conf` and starts it. `stop()` stops it and removes the temp folder; a kept
 * `dataDir` lives outside it and stays.
 */
export async function startPostgres({ prefix = 'ispm-pg-', dataDir, settings = [] } = {}) {
  if (!existsSync(join(PG_BIN, 'initdb')))
    throw new Error(`${PG_BIN}/initdb not found (Debian package postgresql)`);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const uid = Number((await run('id', ['-u', RUN_AS])).stdout.trim());
  const gid = Number((await run('id', ['-g', RUN_AS])).stdout.trim());
  chownSync(dir, uid, gid);
  const data = dataDir ?? join(dir, 'data');
  if (dataDir === undefined || !existsSync(join(data, 'PG_VERSION'))) {
    if (dataDir !== undefined) {
      mkdirSync(data, { recursive: true });
      chownSync(data, uid, gid);
      chmodSync(data, 0o700);
    }
    const initdb = ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'];
    await asPostgres(join(PG_BIN, 'initdb'), initdb, 120_000);
  }
  const port = await freeTcpPort();
  const conf = [`port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`];
  writeFileSync(join(data, 'postgresql.auto.conf'), [...conf, ...settings].join('\n'));
  const pgCtl = (args) => asPostgres(join(PG_BIN, 'pg_ctl'), ['-D', data, ...args], 120_000);
  const server = {
    dir,
    data,
    port,
    url: (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`,
    clientArgs: (db = 'postgres') => ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', db],
    tool: (name, args, timeout = 600_000) => asPostgres(join(PG_BIN, name), args, timeout),
    psql: (db, args) => server.tool('psql', [...server.clientArgs(db), '-v', 'ON_ERROR_STOP=1', ...args]),
    async createDatabase(name) {
      if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      await server.psql('postgres', ['-c', `CREATE DATABASE ${name}`]);
      return server.url(name);
    },
    startServer: async () => void (await pgCtl(['-l', join(dir, 'log'), '-w', '-t', '60', 'start'])),
    stopServer: async () => void (await pgCtl(['-m', 'fast', '-w', 'stop'])),
    async stop() {
      await server.stopServer().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.startServer();
  return server;
}
