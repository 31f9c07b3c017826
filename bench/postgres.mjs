// Benchmark of @ispmonitor/plugin-postgres (imports the BUILT package: run
// `npx tsc -b packages/plugin-postgres` first). Not a test: it prints figures and, as its last
// line, `BENCH_RESULT {json}`.
//
// 1. Sustained ingest through the plugin's Sink into a PostgreSQL 15 it starts itself, and
//    `psql \copy` of the same rows into the same schema on the same server: measured several
//    times alternately, compared by medians (bench/postgres/ingest.mjs); with `ingest.parallel`
//    1 (the default) and 2.
// 2. The same through PGlite (in memory), and PGlite's alternative bulk path (INSERT … unnest)
//    measured on the same rows, to justify the path the plugin uses there.
// 3. Series creation at a first start through the Sink, against one INSERT … SELECT of the same
//    rows (bench/postgres/series.mjs).
// 4. Query latency of 24 h of 5-minute rates of one interface through the store API, at
//    10,000 devices × 24 interfaces × 1 day (a dataset built once with set-based SQL and cached
//    under .cache/bench/, see bench/postgres/query.mjs), and at smaller scales for the growth.
import { existsSync } from 'node:fs';
import { openPglite } from '@ispmonitor/plugin-postgres';
import { BATCH, ingest, makeSamples, measureIngest, monitorOn } from './postgres/ingest.mjs';
import { cachedDataset, measureQuery, measureScales } from './postgres/query.mjs';
import { measureSeries } from './postgres/series.mjs';

const quick = process.env.BENCH_QUICK === '1';
const INGEST_DEVICES = quick ? 200 : 1000;
const INGEST_ROUNDS = quick ? 10 : 20; // readings per series
const INGEST_REPS = quick ? 3 : 5;
const PGLITE_SAMPLES = quick ? 100_000 : 300_000;
const QUERY_SCALES = quick ? [100, 300] : [100, 1000, 2000];
/** The goal's scale; built once and cached (skipped in quick mode unless already cached). */
const LARGE = 10_000;
const QUERY_RUNS = 50;
const log = (m) => console.error(m);

const figures = {};
const reference = {};
{
  // --- 1. PostgreSQL ingest, plugin vs psql \copy -----------------------------------------------
  for (const parallel of [1, 2]) {
    log(`ingest, parallel ${parallel}:`);
    const r = await measureIngest({
      devices: INGEST_DEVICES,
      rounds: INGEST_ROUNDS,
      reps: INGEST_REPS,
      parallel,
      log,
    });
    const tag = parallel === 1 ? '' : `_parallel${parallel}`;
    figures[`pg_sink_samples_per_s${tag}`] = r.sink_median;
    reference[`psql_copy_samples_per_s${tag}`] = r.copy_median;
    figures[`pg_sink_runs${tag}`] = r.sink.join(' ');
    reference[`psql_copy_runs${tag}`] = r.copy.join(' ');
    if (parallel === 1) figures.pg_sink_retry_samples_per_s = r.retry_samples_per_s;
  }
  const samples = makeSamples(INGEST_DEVICES, INGEST_ROUNDS);
  const perRound = INGEST_DEVICES * 48;

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

  // --- 3. Series created at a first start, against one INSERT … SELECT of the same rows -------
  const series = await measureSeries({ series: quick ? 48_000 : 240_000, log });
  figures.pg_series_created_per_s = series.create_per_s;
  figures.pg_series_looked_up_per_s = series.lookup_per_s;
  reference.insert_select_series_per_s = series.insert_select_per_s;

  // --- 4. Query latency -------------------------------------------------------------------------
  figures.query_ms_by_devices = await measureScales(QUERY_SCALES, QUERY_RUNS, log);
  const cached = existsSync(new URL(`../.cache/bench/pg-query-${LARGE}.json`, import.meta.url));
  if (!quick || cached) {
    const ds = await cachedDataset(LARGE, { log });
    try {
      const q = await measureQuery(ds.url, LARGE, ds.meta.end, QUERY_RUNS);
      figures.query_ms_by_devices[LARGE] = { rows: ds.meta.rows.samples, build_s: ds.meta.buildS, ...q };
      figures.query_dataset = {
        devices: LARGE,
        cached: !ds.built,
        built_at: ds.meta.builtAt,
        build_s: ds.meta.buildS,
        gib_on_disk: +(ds.meta.bytes / 2 ** 30).toFixed(1),
      };
    } finally {
      await ds.server.stop();
    }
  }
}

const scales = Object.keys(figures.query_ms_by_devices).map(Number);
const largest = Math.max(...scales);
figures.query_p50_ms = figures.query_ms_by_devices[largest].p50_ms;
figures.query_p95_ms = figures.query_ms_by_devices[largest].p95_ms;
const ratios = {
  pg_sink_vs_psql_copy: +(figures.pg_sink_samples_per_s / reference.psql_copy_samples_per_s).toFixed(3),
  pg_sink_vs_psql_copy_parallel2: +(
    figures.pg_sink_samples_per_s_parallel2 / reference.psql_copy_samples_per_s_parallel2
  ).toFixed(3),
  pg_series_created_vs_insert_select: +(
    figures.pg_series_created_per_s / reference.insert_select_series_per_s
  ).toFixed(3),
};
const goals = { pg_sink_samples_per_s: '>= 150000', pg_sink_vs_psql_copy: '>= 0.8', query_p50_ms: '< 20' };

console.log('\n| figure | value |\n|---|---|');
for (const [k, v] of Object.entries({ ...figures, ...reference, ...ratios })) {
  if (k === 'query_ms_by_devices') {
    for (const [n, r] of Object.entries(v))
      console.log(
        `| query, ${n} devices (${r.rows} raw rows, from ${r.source}, built in ${r.build_s} s) | p50 ${r.p50_ms} ms, p95 ${r.p95_ms} ms; a different device each run: p50 ${r.spread_p50_ms} ms, p95 ${r.spread_p95_ms} ms |`,
      );
  } else console.log(`| ${k} | ${typeof v === 'object' ? JSON.stringify(v) : v} |`);
}
console.log(`BENCH_RESULT ${JSON.stringify({ name: 'postgres', figures, reference, ratios, goals })}`);
