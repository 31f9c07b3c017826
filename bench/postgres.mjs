// Benchmark of @ispmonitor/plugin-postgres (imports the BUILT package: run
// `npx tsc -b packages/plugin-postgres` first). Not a test: it prints figures and, as its last
// line, `BENCH_RESULT {json}`.
//
// 1. Sustained ingest through the plugin's Sink (batches of 5,000, one at a time, as core's sink
//    runner sends them) into a PostgreSQL 15 it starts itself, side by side with `psql \copy` of
//    the same rows (same CSV) into the same schema on the same server.
// 2. The same through PGlite (in memory), and PGlite's alternative bulk path (INSERT … unnest)
//    measured on the same rows, to justify the path the plugin uses there.
// 3. Query latency of 24 h of 5-minute rates of one interface, with N devices × 24 interfaces ×
//    1 day (5-minute readings) stored, built with generate_series and rolled up by the plugin's
//    own maintenance. 10,000 devices do not fit this benchmark's time on a 2-core machine, so it
//    measures growing scales and reports the growth (see `figures.query_ms_by_devices`).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMonitor, tokens } from '@ispmonitor/core';
import { openPglite, postgres, postgresStore } from '@ispmonitor/plugin-postgres';
import { startPgServer } from './support/pg-server.mjs';

const quick = process.env.BENCH_QUICK === '1';
const INGEST_DEVICES = quick ? 200 : 1000;
const INGEST_ROUNDS = quick ? 10 : 20; // readings per series
const BATCH = 5000;
const PGLITE_SAMPLES = quick ? 100_000 : 300_000;
const QUERY_SCALES = quick ? [100, 300] : [100, 1000, 2000];
const QUERY_RUNS = 50;
const MIN = 60_000;
const silent = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silent;
  },
};

/** Samples of D devices × 24 interfaces × in/out, R rounds one minute apart ending now. */
function makeSamples(devices, rounds) {
  const out = [];
  const end = Math.floor(Date.now() / MIN) * MIN;
  for (let r = 0; r < rounds; r++) {
    const ts = end - (rounds - 1 - r) * MIN;
    for (let d = 0; d < devices; d++) {
      for (let i = 0; i < 24; i++) {
        const base = (d * 24 + i) * 1_000_000 + r * 7_500_000;
        // One interface in 24 has a counter beyond 2^63 (bigint), as a busy 64-bit port would.
        const inV = i === 0 ? 2n ** 63n + BigInt(base) : base;
        out.push({
          name: 'interface_in_octets_total',
          labels: { device: `d${d}`, ifName: `eth${i}` },
          value: inV,
          ts,
        });
        out.push({
          name: 'interface_out_octets_total',
          labels: { device: `d${d}`, ifName: `eth${i}` },
          value: base * 2,
          ts,
        });
      }
    }
  }
  return out;
}

async function monitorOn(options) {
  const monitor = await createMonitor({ plugins: [postgres(options)], logger: silent });
  await monitor.start();
  const sink = monitor.resolveAll(tokens.Sink).find((s) => s.name === 'postgres');
  return { monitor, sink, store: monitor.resolve(postgresStore) };
}

async function ingest(sink, samples) {
  const t0 = performance.now();
  for (let i = 0; i < samples.length; i += BATCH) await sink.write(samples.slice(i, i + BATCH));
  return (performance.now() - t0) / 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];

const server = await startPgServer();
const figures = {};
const reference = {};
try {
  // --- 1. PostgreSQL ingest, plugin vs psql \copy --------------------------------------------
  const samples = makeSamples(INGEST_DEVICES, INGEST_ROUNDS);
  const pg = await monitorOn({ url: await server.createDatabase('ingest'), pool: { max: 4 } });
  // Warm-up on the first round (creates series and partitions), then measure the rest.
  const perRound = INGEST_DEVICES * 48;
  await ingest(pg.sink, samples.slice(0, perRound));
  const measured = samples.slice(perRound);
  const pluginS = await ingest(pg.sink, measured);
  figures.pg_sink_samples_per_s = Math.round(measured.length / pluginS);

  // The same rows as CSV (series ids from the plugin's own series table), loaded by psql.
  const ids = new Map();
  const res = await pg.store.devices(); // touch the store so the connection is warm
  void res;
  const db = pg.monitor.resolve(postgresStore);
  void db;
  const { openPg } = await import('@ispmonitor/plugin-postgres');
  const raw = await openPg({ url: server.url('ingest') });
  for (const r of (await raw.query('SELECT id, name, labels::text AS l FROM ispm_series')).rows) {
    ids.set(`${r.name}|${JSON.stringify(JSON.parse(r.l))}`, r.id);
  }
  await raw.close();
  const lines = [];
  const U64 = 2n ** 64n;
  for (const s of measured) {
    const id = ids.get(`${s.name}|${JSON.stringify({ device: s.labels.device, ifName: s.labels.ifName })}`);
    const big = typeof s.value === 'bigint' ? s.value : BigInt(s.value);
    const rawV = big >= 2n ** 63n ? big - U64 : big;
    lines.push(`${id},${new Date(s.ts).toISOString()},${Number(s.value)},${rawV}`);
  }
  const csv = join(server.dir, 'rows.csv');
  writeFileSync(csv, `${lines.join('\n')}\n`, { mode: 0o644 });
  const refUrl = await server.createDatabase('ref');
  const ref = await monitorOn({ url: refUrl, pool: { max: 2 } });
  // Same schema and partitions: let the plugin create them with one reading per minute used.
  await ingest(ref.sink, samples.slice(0, perRound));
  await ref.monitor.stop();
  await server.psql('ref', ['-c', 'TRUNCATE ispm_samples']);
  const t0 = performance.now();
  await server.psql('ref', ['-c', `\\copy ispm_samples (series_id, ts, value, raw) FROM '${csv}' CSV`]);
  const copyS = (performance.now() - t0) / 1000;
  reference.psql_copy_samples_per_s = Math.round(measured.length / copyS);
  const check = await server.psql('ref', ['-At', '-c', 'SELECT count(*) FROM ispm_samples']);
  if (Number(check.stdout.trim()) !== measured.length)
    throw new Error('reference COPY stored a different row count');

  // A retried batch (already stored) goes through the duplicate-safe path: how much slower?
  const retry = measured.slice(0, BATCH * 4);
  const retryS = await ingest(pg.sink, retry);
  figures.pg_sink_retry_samples_per_s = Math.round(retry.length / retryS);
  await pg.monitor.stop();

  // --- 2. PGlite ---------------------------------------------------------------------------
  const lite = await monitorOn({ memory: true });
  const liteSamples = samples.slice(0, PGLITE_SAMPLES);
  await ingest(lite.sink, liteSamples.slice(0, perRound));
  const liteMeasured = liteSamples.slice(perRound);
  const liteS = await ingest(lite.sink, liteMeasured);
  figures.pglite_sink_samples_per_s = Math.round(liteMeasured.length / liteS);
  await lite.monitor.stop();
  // The alternative path on PGlite: INSERT … SELECT unnest(arrays) ON CONFLICT DO NOTHING.
  const alt = await openPglite({ memory: true });
  await alt.query(
    'CREATE TABLE t (series_id int, ts timestamptz, value float8, raw int8, PRIMARY KEY (series_id, ts))',
  );
  const t1 = performance.now();
  for (let i = 0; i < liteMeasured.length; i += BATCH) {
    const chunk = liteMeasured.slice(i, i + BATCH);
    await alt.query(
      `INSERT INTO t SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::float8[], $4::int8[]) ON CONFLICT DO NOTHING`,
      [
        chunk.map((_, j) => (i + j) % 100_000),
        chunk.map((s) => new Date(s.ts).toISOString()),
        chunk.map((s) => Number(s.value)),
        chunk.map((s) => String(typeof s.value === 'bigint' ? s.value - 2n ** 63n : s.value)),
      ],
    );
  }
  reference.pglite_unnest_insert_samples_per_s = Math.round(
    liteMeasured.length / ((performance.now() - t1) / 1000),
  );
  await alt.close();

  // --- 3. Query latency at growing scales -------------------------------------------------------
  figures.query_ms_by_devices = {};
  for (const devices of QUERY_SCALES) {
    const name = `q${devices}`;
    // No periodic round: the one below must start after the backfill.
    const q = await monitorOn({
      url: await server.createDatabase(name),
      // Building the first rollups of a whole backfilled day takes longer than a normal round.
      pool: { max: 2, statementTimeout: '20m' },
      maintenance: { interval: '1d' },
    });
    const now = Date.now();
    const end = Math.floor(now / (5 * MIN)) * 5 * MIN;
    // Create yesterday's and today's partitions through the plugin itself.
    await q.sink.write([
      { name: 'device_up', labels: { device: 'x' }, value: 1, ts: end - 24 * 60 * MIN },
      { name: 'device_up', labels: { device: 'x' }, value: 1, ts: end },
    ]);
    const tBuild = performance.now();
    await server.psql(name, [
      '-c',
      `
      INSERT INTO ispm_series (name, labels, kind)
      SELECT 'interface_in_octets_total', jsonb_build_object('device', 'd' || d, 'ifName', 'eth' || i), 'counter'
        FROM generate_series(0, ${devices - 1}) d, generate_series(0, 23) i;
      INSERT INTO ispm_samples (series_id, ts, value, raw)
      SELECT s.id, to_timestamp(${end / 1000} - k * 300), v, v::bigint
        FROM ispm_series s, generate_series(0, 288) k,
             LATERAL (SELECT ((s.id * 7919) % 1000000 + (288 - k) * 1500000.0)::float8 AS v) x
       WHERE s.name = 'interface_in_octets_total';
      ANALYZE;`,
    ]);
    // A backfill older than the rollup lateness: forget the watermarks so the next round rebuilds.
    await server.psql(name, ['-c', 'DELETE FROM ispm_rollup_state']);
    const rows = devices * 24 * 289;
    await q.store.maintain(now);
    figures[`build_s_${devices}`] = Math.round((performance.now() - tBuild) / 100) / 10;
    const query = {
      name: 'interface_in_octets_total',
      labels: { device: `d${Math.floor(devices / 2)}`, ifName: 'eth7' },
      from: end - 24 * 60 * MIN,
      to: end,
      step: 5 * MIN,
      fn: 'rate',
    };
    const source = q.store.sourceOf(query);
    const times = [];
    let points = 0;
    for (let i = 0; i < QUERY_RUNS + 5; i++) {
      const t = performance.now();
      const out = await q.store.range(query);
      if (i >= 5) times.push(performance.now() - t);
      points = out[0]?.points.length ?? 0;
    }
    if (points < 280) throw new Error(`expected ~288 points, got ${points}`);
    figures.query_ms_by_devices[devices] = {
      rows,
      source,
      points,
      median_ms: +median(times).toFixed(2),
      p95_ms: +p95(times).toFixed(2),
    };
    await q.monitor.stop();
  }
} finally {
  await server.stop();
}

const largest = Math.max(...QUERY_SCALES);
figures.query_median_ms = figures.query_ms_by_devices[largest].median_ms;
const ratios = {
  pg_sink_vs_psql_copy: +(figures.pg_sink_samples_per_s / reference.psql_copy_samples_per_s).toFixed(3),
};
const goals = { pg_sink_samples_per_s: '>= 150000', pg_sink_vs_psql_copy: '>= 0.8', query_median_ms: '< 20' };

console.log('\n| figure | value |\n|---|---|');
for (const [k, v] of Object.entries({ ...figures, ...reference, ...ratios })) {
  if (typeof v === 'object') {
    for (const [n, r] of Object.entries(v))
      console.log(
        `| query, ${n} devices (${r.rows} rows, from ${r.source}) | median ${r.median_ms} ms, p95 ${r.p95_ms} ms |`,
      );
  } else console.log(`| ${k} | ${v} |`);
}
console.log(
  `note: query scales ${QUERY_SCALES.join(', ')} devices × 24 interfaces × 1 day of 5-minute readings (10,000 not built here: see the table's growth)`,
);
console.log(`BENCH_RESULT ${JSON.stringify({ name: 'postgres', figures, reference, ratios, goals })}`);
