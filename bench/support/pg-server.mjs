// A throw-away PostgreSQL 15 for the benchmarks: the server the tests use
// (test/support/pg-server.mjs), with settings for measuring. One helper for every benchmark.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PG_BIN, startPostgres } from '../../test/support/pg-server.mjs';

export { PG_BIN };

/**
 * Starts a server; returns helpers and `stop()`. `durable: false` (the ingest benchmark, where
 * both sides of the comparison share the server) turns fsync off; latency benchmarks keep it on.
 * `dataDir`: a data folder kept across runs (a cached dataset): created with initdb when it holds
 * no cluster yet, reused as it is otherwise, and left in place by `stop()`.
 */
export function startPgServer({ durable = false, dataDir, settings = [] } = {}) {
  // Durable settings kept at their defaults except fsync: the machine's disk is not what we
  // measure, and both sides of each comparison run on the same server.
  const tuned = [
    "shared_buffers = '1GB'",
    "max_wal_size = '4GB'",
    "work_mem = '64MB'",
    "maintenance_work_mem = '512MB'",
  ];
  return startPostgres({
    prefix: 'ispm-bench-pg-',
    dataDir,
    settings: [...(durable ? [] : ['fsync = off']), ...tuned, ...settings],
  });
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
