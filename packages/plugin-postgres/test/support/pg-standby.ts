/**
 * A streaming replica of a test PostgreSQL 15 (see pg-server.ts): `pg_basebackup -R` copies the
 * primary's data folder over a replication connection and writes `standby.signal` plus the
 * `primary_conninfo` that points back at it; the copy is started on its own free loopback port,
 * read-only (`pg_is_in_recovery()` true), replaying the primary's WAL as it streams in.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, PG_BIN, type PgServer } from './pg-server.js';

const run = promisify(execFile);
const asPostgres = (cmd: string, args: string[]) =>
  run('runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args], {
    timeout: 120_000,
    env: { ...process.env, LC_ALL: 'C' },
  });

/** A running standby: its URL, and a way to stop it (the replica "going away") and start it again. */
export interface PgStandby {
  port: number;
  url(db?: string): string;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Lets `primary` stream WAL to replicas: `wal_level = replica` (PostgreSQL 15's default, said
 * anyway), WAL senders, and a `replication` line in pg_hba for loopback. Restarts the primary.
 */
export async function enableReplication(primary: PgServer): Promise<void> {
  const data = join(primary.dir, 'data');
  appendFileSync(
    join(data, 'postgresql.auto.conf'),
    ['', 'wal_level = replica', 'max_wal_senders = 5', 'hot_standby = on', ''].join('\n'),
  );
  appendFileSync(join(data, 'pg_hba.conf'), '\nhost replication postgres 127.0.0.1/32 trust\n');
  await primary.stopServer();
  await primary.startServer();
}

/** Copies `primary` with `pg_basebackup -R` and starts the copy as a hot standby on a free port. */
export async function startStandby(primary: PgServer): Promise<PgStandby> {
  const dir = mkdtempSync(join(tmpdir(), 'ispm-pg-standby-'));
  const data = join(dir, 'data');
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  chownSync(dir, Number(uid.trim()), Number(gid.trim()));
  // -X stream: the WAL written during the copy comes along, so the copy starts consistent.
  await asPostgres('pg_basebackup', [
    '-h',
    '127.0.0.1',
    '-p',
    String(primary.port),
    '-U',
    'postgres',
    '-D',
    data,
    '-R',
    '-X',
    'stream',
    // A fast checkpoint: the default (spread) waits for the primary's next scheduled one.
    '-c',
    'fast',
    '--no-sync',
  ]);
  const port = await freePort();
  // The copy carries the primary's settings (its port, its socket folder): later lines win.
  appendFileSync(
    join(data, 'postgresql.auto.conf'),
    ['', `port = ${port}`, `unix_socket_directories = '${dir}'`, 'hot_standby = on', ''].join('\n'),
  );
  const pgCtl = (args: string[]) => asPostgres('pg_ctl', ['-D', data, ...args]);
  const standby: PgStandby = {
    port,
    url: (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`,
    async stopServer() {
      await pgCtl(['-m', 'fast', '-w', 'stop']);
    },
    async startServer() {
      await pgCtl(['-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
    },
    async stop() {
      await standby.stopServer().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await standby.startServer();
  return standby;
}
