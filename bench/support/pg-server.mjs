// A throw-away PostgreSQL 15 for the benchmarks: initdb in a temp folder as the `postgres` user
// (we run as root), loopback only, on a free port. One helper for every benchmark.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const PG_BIN = '/usr/lib/postgresql/15/bin';

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const asPostgres = (cmd, args, timeout = 600_000) =>
  run('runuser', ['-u', 'postgres', '--', cmd, ...args], {
    timeout,
    maxBuffer: 64 << 20,
    env: { ...process.env, LC_ALL: 'C' },
  });

/**
 * Starts a server; returns helpers and `stop()`. `durable: false` (the ingest benchmark, where
 * both sides of the comparison share the server) turns fsync off; latency benchmarks keep it on.
 * `dataDir`: a data folder kept across runs (a cached dataset): created with initdb when it holds
 * no cluster yet, reused as it is otherwise, and left in place by `stop()`.
 */
export async function startPgServer({ durable = false, dataDir, settings = [] } = {}) {
  if (!existsSync(join(PG_BIN, 'initdb')))
    throw new Error(`${PG_BIN}/initdb not found (Debian package postgresql)`);
  const dir = mkdtempSync(join(tmpdir(), 'ispm-bench-pg-'));
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  chownSync(dir, uid, gid);
  const data = dataDir ?? join(dir, 'data');
  const kept = dataDir !== undefined;
  if (!kept || !existsSync(join(data, 'PG_VERSION'))) {
    if (kept) {
      mkdirSync(data, { recursive: true });
      chownSync(data, uid, gid);
      chmodSync(data, 0o700);
    }
    await asPostgres(join(PG_BIN, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
  }
  const port = await freePort();
  // Durable settings kept at their defaults except fsync: the machine's disk is not what we measure,
  // and both sides of each comparison run on the same server.
  writeFileSync(
    join(data, 'postgresql.auto.conf'),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      ...(durable ? [] : ['fsync = off']),
      "shared_buffers = '1GB'",
      "max_wal_size = '4GB'",
      "work_mem = '64MB'",
      "maintenance_work_mem = '512MB'",
      ...settings,
    ].join('\n'),
  );
  const psql = (db, args) =>
    asPostgres(join(PG_BIN, 'psql'), [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      'postgres',
      '-d',
      db,
      '-v',
      'ON_ERROR_STOP=1',
      ...args,
    ]);
  await asPostgres(join(PG_BIN, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', 'start']);
  return {
    dir,
    data,
    port,
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    psql,
    async createDatabase(name) {
      await psql('postgres', ['-c', `CREATE DATABASE ${name}`]);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      await asPostgres(join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => {});
      // A kept data folder lives outside `dir`: only the socket folder and log go.
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The database a latency or scale benchmark uses: `BENCH_DATABASE_URL` when set, else a durable
 * throw-away server; null when PostgreSQL is not installed.
 */
export async function benchDatabase() {
  if (process.env.BENCH_DATABASE_URL) return { url: process.env.BENCH_DATABASE_URL, stop: async () => {} };
  if (!existsSync(join(PG_BIN, 'initdb'))) return null;
  const server = await startPgServer({ durable: true });
  return { url: server.url('postgres'), stop: () => server.stop() };
}
