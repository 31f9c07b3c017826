/**
 * Starts a throw-away PostgreSQL 15 for tests: initdb in a temp folder, owned by the unprivileged
 * `postgres` user (we run as root, and PostgreSQL refuses root), listening on a free loopback
 * port only, trust auth on loopback. `stop()` removes everything.
 */
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, missingBinary } from '@ispmonitor/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { openPg } from '../../src/db/pg.js';
import type { Db } from '../../src/db/types.js';

const run = promisify(execFile);
export const PG_BIN = '/usr/lib/postgresql/15/bin';
const RUN_AS = 'postgres';

/**
 * Why PostgreSQL tests cannot run here, or undefined when they can. The project's one rule
 * (core/testing `missingPeer`): in strict mode (scripts/test.sh, CI) a missing server fails the run.
 */
export function pgMissing(): string | undefined {
  return missingBinary(join(PG_BIN, 'initdb'), 'postgresql-15');
}

export { freePort };

const asUser = (cmd: string, args: string[], timeout = 60_000) =>
  run('runuser', ['-u', RUN_AS, '--', cmd, ...args], { timeout, env: { ...process.env, LC_ALL: 'C' } });

export interface PgServer {
  port: number;
  dir: string;
  /** URL of a database on this server (default `postgres`). */
  url(db?: string): string;
  /** A client tool's arguments to reach database `db` (default `postgres`) as the postgres user. */
  clientArgs(db?: string): string[];
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl stop -m fast`: the server goes away, connections break. */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  /** Runs a client tool (psql, pg_dump, …) from the server's bin folder as the postgres user. */
  tool(name: string, args: string[]): Promise<{ stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** Starts a fresh server; call `stop()` in afterAll. */
export async function startPgServer(): Promise<PgServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ispm-pg-'));
  const data = join(dir, 'data');
  const { stdout } = await run('id', ['-u', RUN_AS]);
  const { stdout: gid } = await run('id', ['-g', RUN_AS]);
  chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  await asUser(join(PG_BIN, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
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
      'max_connections = 50',
      "shared_buffers = '256MB'",
      "max_wal_size = '2GB'",
    ].join('\n'),
  );
  const server: PgServer = {
    port,
    dir,
    url: (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`,
    clientArgs: (db = 'postgres') => ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', db],
    async createDatabase(name) {
      if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      await server.tool('psql', [
        ...server.clientArgs(),
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `CREATE DATABASE ${name}`,
      ]);
      return server.url(name);
    },
    async stopServer() {
      await asUser(join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    async startServer() {
      await asUser(join(PG_BIN, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
    },
    tool(name, args) {
      return asUser(join(PG_BIN, name), args, 300_000);
    },
    async stop() {
      await server.stopServer().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.startServer();
  return server;
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
