import { createMonitor } from '@ispmonitor/core';
import { cluster, clusterStatus } from '@ispmonitor/plugin-cluster';
import pg from 'pg';
import { benchDatabase, PG_BIN } from './support/pg-server.mjs';
import { silent } from './support/silent.mjs';

const quick = process.env.BENCH_QUICK === '1';
const BUCKETS = 256;
const sizes = quick ? [3] : [3, 10];

const startPostgres = benchDatabase;

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
