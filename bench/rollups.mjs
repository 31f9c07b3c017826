// Benchmark of the postgres plugin's rollup rounds at fleet scale (imports the BUILT package: run
// `npm run build` first). Not a test: it prints figures and, last, `BENCH_RESULT {json}`.
//
// A fleet of BENCH_ROLLUP_DEVICES routers (default 10,000; BENCH_QUICK=1: 500) × 24 interfaces ×
// 11 interface metrics (2.64 M series at 10,000), polled every 60 s, in a throw-away durable
// PostgreSQL 15: 10 minutes of raw samples (13.2 M rows per 5-minute bucket at 10,000) and the
// 5-minute rollups of the 11 buckets before, all written with set-based SQL. Then, through the
// plugin's own maintenance round (`store.maintain(now)`), timed separately:
//   rollup_5m_s   rolling up one 5-minute bucket (what every round does as the fleet runs)
//   rollup_1h_s   rolling up one hour from its twelve 5-minute buckets (once an hour)
// each three times (medians reported). Rollups compete with sample ingest for the database's
// cores, so a bucket must take well under its 300 s. The data is built on each run (~5 minutes
// and ~10 GB at 10,000 devices) and removed with the server.
import { createMonitor } from '@ispmonitor/core';
import { postgres, postgresStore } from '@ispmonitor/plugin-postgres';
import pg from 'pg';
import { PG_BIN, startPgServer } from './support/pg-server.mjs';
import { silent } from './support/silent.mjs';

const quick = process.env.BENCH_QUICK === '1';
const devices = Number(process.env.BENCH_ROLLUP_DEVICES ?? (quick ? 500 : 10_000));
const REPS = 3;
const MIN = 60_000;
const HOUR = 60 * MIN;
const iso = (ms) => new Date(ms).toISOString();
const log = (m) => console.error(m);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let server;
try {
  server = await startPgServer({ durable: true });
} catch (err) {
  console.log(`rollups: skipped, ${err.message}`);
  console.log(
    `BENCH_RESULT ${JSON.stringify({ name: 'rollups', figures: {}, skipped: `${PG_BIN}/initdb not found (Debian postgresql)` })}`,
  );
  process.exit(0);
}
const url = server.url('postgres');
// The hour being rolled up ends 2 hours ago (inside today's or yesterday's partitions, which the
// plugin creates at start); its last bucket is the one the 5-minute round computes.
const hour = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
const bucket = hour + 55 * MIN;
const now = hour + HOUR + 61_000; // the bucket ended more than the settle time ago
const monitor = await createMonitor({
  plugins: [postgres({ url, maintenance: { interval: '1d', partitionsAhead: 1 } })],
  devices: [],
  logger: silent,
});
const c = new pg.Client(url);
const figures = {};
try {
  await monitor.start();
  const store = monitor.resolve(postgresStore);
  await c.connect();
  const timed = async (label, sql, params) => {
    const t = performance.now();
    const r = await c.query(sql, params);
    log(`  ${label}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return r;
  };
  // Partitions for the hour (it may be yesterday's) before any row goes in.
  await store.maintain(hour);
  log(`building ${devices} devices' series, raw samples and earlier rollups:`);
  const t0 = performance.now();
  await timed(
    'series',
    `INSERT INTO ispm_series (name, labels, kind)
     SELECT nm, jsonb_build_object('device', 'r-' || d, 'ifName', 'ether' || i),
            CASE WHEN nm IN ('if_oper_up', 'if_admin_up', 'if_speed_bps') THEN 'gauge' ELSE 'counter' END
       FROM generate_series(1, $1::int) d, generate_series(1, 24) i,
            unnest(ARRAY['if_in_octets', 'if_out_octets', 'if_in_packets', 'if_out_packets', 'if_in_errors',
                         'if_out_errors', 'if_in_discards', 'if_out_discards', 'if_oper_up', 'if_admin_up',
                         'if_speed_bps']) nm`,
    [devices],
  );
  // Raw samples a minute apart, each series at its own second, in time order as ingest writes them.
  for (let m = -5; m < 5; m++) {
    await timed(
      `raw minute ${m + 5}`,
      `INSERT INTO ispm_samples (series_id, ts, value, raw)
       SELECT id, $1::timestamptz + make_interval(secs => id % 60), id::bigint * 1000 + $2, id::bigint * 1000 + $2
         FROM ispm_series`,
      [iso(bucket + m * MIN), (m + 5) * 500],
    );
  }
  await timed(
    '5-minute rollups of the 11 buckets before',
    `INSERT INTO ispm_rollup_5m (series_id, bucket, count, min, max, sum, last, last_raw, last_ts, increase)
     SELECT id, b, 5, id, id + 4, 5 * id + 10, id::bigint * 1000, id::bigint * 1000, b + interval '4 minutes', 2500
       FROM generate_series($1::timestamptz, $2::timestamptz, interval '5 minutes') b, ispm_series ORDER BY b`,
    [iso(hour), iso(bucket - 5 * MIN)],
  );
  await timed('VACUUM ANALYZE', 'VACUUM ANALYZE ispm_samples, ispm_rollup_5m, ispm_series');
  figures.build_s = Math.round((performance.now() - t0) / 1000);
  const series = Number((await c.query('SELECT count(*) AS n FROM ispm_series')).rows[0].n);
  figures.series = series;
  figures.raw_rows_per_bucket = series * 5;

  const state = (level, at) =>
    c.query(
      `INSERT INTO ispm_rollup_state (level, done_until) VALUES ($1, $2::timestamptz)
       ON CONFLICT (level) DO UPDATE SET done_until = excluded.done_until`,
      [level, iso(at)],
    );
  const five = [];
  const hourly = [];
  for (let rep = 0; rep < REPS; rep++) {
    // The 5-minute round alone: the hour counts as done.
    await state('rollup_5m', bucket);
    await state('rollup_1h', hour + HOUR);
    let t = performance.now();
    let r = await store.maintain(now);
    five.push((performance.now() - t) / 1000);
    if (r.rollups?.rows5m !== series) throw new Error(`5-minute round wrote ${r.rollups?.rows5m} rows`);
    // The hourly round alone: the 5-minute level is up to date.
    await state('rollup_1h', hour);
    t = performance.now();
    r = await store.maintain(now);
    hourly.push((performance.now() - t) / 1000);
    if (r.rollups?.rows1h !== series) throw new Error(`hourly round wrote ${r.rollups?.rows1h} rows`);
    log(`  round ${rep + 1}: 5-minute ${five[rep].toFixed(1)} s, hourly ${hourly[rep].toFixed(1)} s`);
  }
  figures.rollup_5m_s = +median(five).toFixed(1);
  figures.rollup_1h_s = +median(hourly).toFixed(1);
  figures.rollup_5m_runs_s = five.map((x) => +x.toFixed(1)).join(' ');
  figures.rollup_1h_runs_s = hourly.map((x) => +x.toFixed(1)).join(' ');
  // Share of one database core the rollups take on average as the fleet runs.
  figures.rollup_core_share = +((figures.rollup_5m_s * 12 + figures.rollup_1h_s) / 3600).toFixed(3);
} finally {
  await c.end().catch(() => {});
  await monitor.stop();
  await server.stop();
}
console.log(`\nrollups, ${devices} devices:\n| figure | value |\n|---|---|`);
for (const [k, v] of Object.entries(figures)) console.log(`| ${k} | ${v} |`);
const goals = { rollup_5m_s: '<= 60', rollup_core_share: '<= 0.25' };
console.log(
  `BENCH_RESULT ${JSON.stringify({ name: 'rollups', figures, reference: { what: 'no external reference' }, ratios: {}, goals })}`,
);
