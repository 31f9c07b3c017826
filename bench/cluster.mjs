// Scale-out: what the cluster plugin costs and how fast it moves, on a throw-away PostgreSQL 15
// (or BENCH_DATABASE_URL). Replicas run in this process (one monitor and one session each), with
// the default timings (heartbeat 1 s, rebalance delay 5 s). Needs a build first (`npx tsc -b`).
//
// Figures: cold start of R replicas until every bucket is held and the split is fair; database
// transactions per replica per second in steady state; takeover after a replica's session is
// killed (a crash) until every bucket is held again; buckets moved when a replica joins; CPU cost
// of `owns()` (called by the scheduler at every slot of every device).
// Not a test: nothing asserts; it prints a table and, last, `BENCH_RESULT {json}`.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMonitor } from '@ispmonitor/core';
import { cluster, clusterStatus } from '@ispmonitor/plugin-cluster';
import pg from 'pg';

const quick = process.env.BENCH_QUICK === '1';
const PG_BIN = '/usr/lib/postgresql/15/bin';
const BUCKETS = 256;
const sizes = quick ? [3] : [3, 10];

async function startPostgres() {
  if (process.env.BENCH_DATABASE_URL) return { url: process.env.BENCH_DATABASE_URL, stop: async () => {} };
  if (!existsSync(`${PG_BIN}/initdb`)) return null;
  const port = await new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'ispm-bench-cluster-'));
  chmodSync(dir, 0o700);
  chownSync(
    dir,
    Number(execFileSync('id', ['-u', 'postgres'])),
    Number(execFileSync('id', ['-g', 'postgres'])),
  );
  const asPg = (cmd, args) =>
    execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], {
      stdio: 'ignore',
      env: { ...process.env, LC_ALL: 'C' },
    });
  const data = join(dir, 'data');
  asPg(`${PG_BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  writeFileSync(
    join(data, 'postgresql.auto.conf'),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      'max_connections = 100',
      '',
    ].join('\n'),
  );
  asPg(`${PG_BIN}/pg_ctl`, ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      try {
        asPg(`${PG_BIN}/pg_ctl`, ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(fn, ms = 60_000) {
  const start = performance.now();
  while (performance.now() - start < ms) {
    if (fn()) return performance.now() - start;
    await sleep(20);
  }
  return Number.NaN;
}

async function replica(url, name, table) {
  const monitor = await createMonitor({
    plugins: [cluster({ url, replica: name, buckets: BUCKETS, table })],
    logger: silent,
  });
  return { name, monitor, status: monitor.resolve(clusterStatus) };
}
const held = (rs) => rs.map((r) => r.status.ownedBuckets().length);
const fair = (rs) => {
  const h = held(rs);
  return h.reduce((a, b) => a + b, 0) === BUCKETS && h.every((n) => n <= Math.ceil(BUCKETS / rs.length));
};

const db = await startPostgres();
if (!db) {
  console.log(
    `BENCH_RESULT ${JSON.stringify({ name: 'cluster', figures: {}, skipped: `${PG_BIN}/initdb not found (Debian postgresql) and no BENCH_DATABASE_URL` })}`,
  );
  process.exit(0);
}
const admin = new pg.Client({ connectionString: db.url });
await admin.connect();
const xacts = async () =>
  Number(
    (
      await admin.query(
        'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
      )
    ).rows[0].n,
  );

const figures = {};
try {
  for (const n of sizes) {
    const table = `bench_${n}`;
    const rs = await Promise.all(Array.from({ length: n }, (_, i) => replica(db.url, `r${i}`, table)));
    const t0 = performance.now();
    await Promise.all(rs.map((r) => r.monitor.start()));
    const cold = await until(() => fair(rs));
    figures[`cold_start_fair_ms_r${n}`] = Math.round(cold + 0);
    figures[`cold_start_total_ms_r${n}`] = Math.round(performance.now() - t0);

    await sleep(1000);
    const x0 = await xacts();
    const s0 = performance.now();
    await sleep(quick ? 5000 : 10_000);
    const rate = (await xacts()) - x0;
    figures[`db_xacts_per_replica_per_s_r${n}`] = +(rate / n / ((performance.now() - s0) / 1000)).toFixed(1);

    // Crash one replica: its session is killed, the process stops without giving anything back.
    const victim = rs[n - 1];
    const { rows } = await admin.query(`SELECT backend_pid FROM "${table}" WHERE replica = $1`, [
      victim.name,
    ]);
    const killed = performance.now();
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0].backend_pid]);
    await victim.monitor.stop();
    const rest = rs.slice(0, n - 1);
    figures[`takeover_all_held_ms_r${n}`] = Math.round(
      await until(() => held(rest).reduce((a, b) => a + b, 0) === BUCKETS),
    );
    figures[`takeover_fair_ms_r${n}`] = Math.round(
      performance.now() - killed + (await until(() => fair(rest))),
    );

    // A replica joins: how many buckets move, and how long until the split is fair.
    const before = rest.map((r) => new Set(r.status.ownedBuckets()));
    const joiner = await replica(db.url, `r${n}-new`, table);
    const joinStart = performance.now();
    await joiner.monitor.start();
    const all = [...rest, joiner];
    figures[`join_fair_ms_r${n}`] = Math.round(
      performance.now() - joinStart + (await until(() => fair(all))),
    );
    let moved = 0;
    rest.forEach((r, i) => {
      for (const b of before[i]) if (!r.status.ownedBuckets().includes(b)) moved++;
    });
    figures[`join_buckets_moved_r${n}`] = moved;
    figures[`join_buckets_received_r${n}`] = joiner.status.ownedBuckets().length;
    await Promise.all(all.map((r) => r.monitor.stop()));
  }

  // owns() as the scheduler calls it: hash of the id, then a set lookup.
  const one = await replica(db.url, 'solo', 'bench_solo');
  await one.monitor.start();
  await until(() => one.status.ownedBuckets().length === BUCKETS);
  const ids = Array.from({ length: 100_000 }, (_, i) => `router-${i}.example-site-${i % 97}`);
  let yes = 0;
  for (const id of ids) if (one.status.owns(id)) yes++;
  const t = performance.now();
  for (let k = 0; k < 10; k++) for (const id of ids) if (one.status.owns(id)) yes++;
  figures.owns_ns_per_call = Math.round(((performance.now() - t) * 1e6) / (ids.length * 10));
  figures.owns_checked = yes;
  await one.monitor.stop();
} finally {
  await admin.end();
  await db.stop();
}

console.table(figures);
const goals = { takeover_all_held_ms_r3: '<= 5000', owns_ns_per_call: '<= 2000' };
console.log(`BENCH_RESULT ${JSON.stringify({ name: 'cluster', figures, reference: {}, ratios: {}, goals })}`);
