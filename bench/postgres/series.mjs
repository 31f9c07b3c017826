// Series creation at a first start (runnable alone: `node bench/postgres/series.mjs [series]`,
// after `npx tsc -b packages/plugin-postgres`).
//
// The first poll of a fleet meets only new series: every sample's (name, labels) becomes a row
// of `ispm_series` before its rows can be stored. This writes one round of N new series through
// the plugin's Sink (batches of 5,000, as core's sink runner sends them) into a PostgreSQL 15 it
// starts itself (fsync off), then the next round through a fresh monitor on the same database
// (a restart: the series exist and are looked up). A Sink round stores its N samples too (one
// row each in `ispm_samples`), so the reference, the floor, does the same work by plain SQL in
// psql on the same server, into the same schema (same indexes: the unique one, the device one and
// the GIN one on labels; the samples' primary key and BRIN index): one `INSERT … SELECT` of the N
// series, then one `INSERT … SELECT` of one sample row per series. (Until this was said, the
// floor inserted the series only, and the Sink's sample rows — about a third of its server CPU —
// counted against it.) BENCH_RESULT carries the ratio (`create_vs_floor`, target >= 0.8; and
// `create_vs_series_floor`, against the series statement alone, the earlier measure), the load
// average at the end, and the CPU time per series of each phase — this process (`*_ours_us`) and
// every process of the PostgreSQL server (`*_db_us`, from /proc) — which a loaded machine
// disturbs far less than the rates.
//
// Series creation alone, like for like with the series statement (issue 18 point 4 as written):
// the same N new series through the plugin's own series path — what the Sink does for a batch's
// samples missing from its cache (canonical labels, each series once, `SeriesCache.resolveList`:
// ids reserved, COPY) — batch by batch of 5,000, into a fresh database with the same schema, with
// no sample rows; `series_create_vs_series_floor` is its rate over the series statement's.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openPg, SeriesCache } from '@ispmonitor/plugin-postgres';
import { startPgServer } from '../support/pg-server.mjs';
import { BATCH, ingest, monitorOn } from './ingest.mjs';

// A full GC before each timed phase: the round's samples (N objects) were just made by this
// benchmark, and the collection they bring on would otherwise fall into the Sink's time.
setFlagsFromString('--expose-gc');
const gc = globalThis.gc ?? runInNewContext('gc');

// The writer's own helpers for a new series' key (not exported: the package's built file).
const { canonicalLabels, seriesKind, storableSeries } = await import(
  new URL('./ingest/encode.js', import.meta.resolve('@ispmonitor/plugin-postgres')).href
);

const METRICS = 10;
const PORTS = 24;
const MIN = 60_000;

/** One round of samples: N/240 devices × 24 interfaces × 10 metrics, each a series. */
function round(devices, ts) {
  const out = [];
  for (let d = 0; d < devices; d++) {
    for (let i = 0; i < PORTS; i++) {
      // One labels object per interface, shared by its metrics, as the drivers emit them.
      const labels = { device: `d${d}`, ifName: `eth${i}` };
      for (let m = 0; m < METRICS; m++)
        out.push({ name: `interface_m${m}_total`, labels: { ...labels }, value: d + i + m, ts });
    }
  }
  return out;
}

/**
 * The series of `samples` created batch by batch as the Sink's writer does for samples missing
 * from its cache, and nothing else: each series once a batch (by name, then canonical labels),
 * its key (name, canonical labels, kind, the sample's labels object), then
 * `SeriesCache.resolveList` of the batch's keys.
 */
async function createSeriesOnly(cache, samples) {
  const counters = new Set();
  for (let i = 0; i < samples.length; i += BATCH) {
    const batch = samples.slice(i, i + BATCH);
    const keys = [];
    const seen = new Map();
    for (const s of batch) {
      if (cache.get(s.name, s.labels) !== undefined) continue;
      const canonical = canonicalLabels(s.labels);
      let byLabels = seen.get(s.name);
      if (byLabels === undefined) {
        byLabels = new Set();
        seen.set(s.name, byLabels);
      }
      if (byLabels.has(canonical) || !storableSeries(s.name, s.labels, canonical)) continue;
      byLabels.add(canonical);
      keys.push({ name: s.name, labels: canonical, kind: seriesKind(s.name, counters), source: s.labels });
    }
    const ids = await cache.resolveList(keys);
    if (ids.length !== keys.length || ids.some((id) => id === undefined))
      throw new Error('a series got no id');
  }
}

/** Fields of /proc/PID/stat after the command name (field 3, the state, is [0]). */
const stat = (pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');

/**
 * CPU time of a PostgreSQL server so far, in ms (USER_HZ is 100 on Linux): the postmaster, its
 * live processes (backends, writers, autovacuum) and the ones that have exited (in the
 * postmaster's children times). A process reaped during the scan would be counted in neither or
 * in both, so the scan is taken again when the children times moved. Null where /proc is not.
 */
function serverCpuMs(dataDir) {
  try {
    const pm = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    for (;;) {
      const before = stat(pm);
      let ticks = Number(before[11]) + Number(before[12]) + Number(before[13]) + Number(before[14]);
      for (const p of readdirSync('/proc')) {
        if (!/^\d+$/.test(p)) continue;
        try {
          const f = stat(p);
          if (Number(f[1]) === pm) ticks += Number(f[11]) + Number(f[12]);
        } catch {
          // not ours, or gone
        }
      }
      const after = stat(pm);
      if (after[13] === before[13] && after[14] === before[14]) return ticks * 10;
    }
  } catch {
    return null;
  }
}

/** Runs `fn`; returns its wall seconds and CPU µs per item of this process and of the server. */
async function timed(dataDir, items, fn) {
  gc();
  const db0 = serverCpuMs(dataDir);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const s = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const db1 = serverCpuMs(dataDir);
  return {
    s,
    ours_us: +((c.user + c.system) / items).toFixed(1),
    db_us: db0 === null || db1 === null ? null : +(((db1 - db0) * 1000) / items).toFixed(1),
  };
}

export async function measureSeries({ series = 240_000, log = console.log } = {}) {
  const devices = Math.max(1, Math.round(series / (PORTS * METRICS)));
  const n = devices * PORTS * METRICS;
  const server = await startPgServer();
  try {
    const now = Math.floor(Date.now() / MIN) * MIN;
    const url = await server.createDatabase('series');
    const first = await monitorOn({ url, pool: { max: 4 } });
    const samples1 = round(devices, now - MIN);
    const create = await timed(server.data, n, () => ingest(first.sink, samples1));
    await first.monitor.stop();
    const again = await monitorOn({ url, pool: { max: 4 } });
    const samples2 = round(devices, now);
    const lookup = await timed(server.data, n, () => ingest(again.sink, samples2));
    await again.monitor.stop();

    // Series creation alone through the plugin's series path (a pool of 4, as the Sink's).
    const onlyUrl = await server.createDatabase('series_only');
    const only = await monitorOn({ url: onlyUrl, pool: { max: 1 } });
    await only.monitor.stop();
    const onlyDb = await openPg({ url: onlyUrl, max: 4 });
    const samples3 = round(devices, now - MIN);
    let seriesOnly;
    try {
      const cache = new SeriesCache(onlyDb, 5_000_000);
      seriesOnly = await timed(server.data, n, () => createSeriesOnly(cache, samples3));
    } finally {
      await onlyDb.close();
    }

    // The floor: the same series by one INSERT … SELECT, then the round's sample rows (one a
    // series, at the first round's time; a small integer value, exact in `raw` as the Sink stores
    // it) by another (schema and partitions made by the plugin's migrations and start).
    const ref = await monitorOn({ url: await server.createDatabase('ref'), pool: { max: 1 } });
    await ref.monitor.stop();
    const seriesSql = `INSERT INTO ispm_series (name, labels, kind)
      SELECT 'interface_m' || m || '_total', jsonb_build_object('device', 'd' || d, 'ifName', 'eth' || i), 'counter'
        FROM generate_series(0, ${devices - 1}) d, generate_series(0, ${PORTS - 1}) i, generate_series(0, ${METRICS - 1}) m`;
    const samplesSql = `INSERT INTO ispm_samples (series_id, ts, value, raw)
      SELECT id, '${new Date(now - MIN).toISOString()}', id % 1000, id % 1000 FROM ispm_series`;
    const floorSeries = await timed(server.data, n, () => server.psql('ref', ['-c', seriesSql]));
    const floorSamples = await timed(server.data, n, () => server.psql('ref', ['-c', samplesSql]));
    const stored = await server.psql('ref', ['-At', '-c', 'SELECT count(*) FROM ispm_samples']);
    if (Number(stored.stdout.trim()) !== n) throw new Error('the floor stored a different row count');
    const floor = {
      s: floorSeries.s + floorSamples.s,
      db_us:
        floorSeries.db_us === null || floorSamples.db_us === null
          ? null
          : +(floorSeries.db_us + floorSamples.db_us).toFixed(1),
    };

    const r = {
      series: n,
      batches: Math.ceil(n / BATCH),
      create_per_s: Math.round(n / create.s),
      lookup_per_s: Math.round(n / lookup.s),
      series_create_per_s: Math.round(n / seriesOnly.s),
      // The floor: series and sample rows; the series statement alone.
      insert_select_per_s: Math.round(n / floor.s),
      series_insert_select_per_s: Math.round(n / floorSeries.s),
      // CPU per series: the Sink's first start and restart (this process, the server), the floor
      // (the server; psql only sends the statements) and its two statements.
      create_ours_us: create.ours_us,
      create_db_us: create.db_us,
      series_create_ours_us: seriesOnly.ours_us,
      series_create_db_us: seriesOnly.db_us,
      lookup_ours_us: lookup.ours_us,
      lookup_db_us: lookup.db_us,
      floor_db_us: floor.db_us,
      floor_series_db_us: floorSeries.db_us,
      floor_samples_db_us: floorSamples.db_us,
    };
    // The target (issue 18 point 4): created through the Sink at >= 0.8x the floor.
    r.create_vs_floor = +(r.create_per_s / r.insert_select_per_s).toFixed(2);
    r.create_vs_series_floor = +(r.create_per_s / r.series_insert_select_per_s).toFixed(2);
    // Like for like: series alone through the plugin against the series statement alone.
    r.series_create_vs_series_floor = +(r.series_create_per_s / r.series_insert_select_per_s).toFixed(2);
    r.load = loadavg().map((x) => +x.toFixed(1));
    log(
      `${n.toLocaleString('en')} series: created through the sink ${r.create_per_s.toLocaleString('en')}/s, ` +
        `looked up after a restart ${r.lookup_per_s.toLocaleString('en')}/s; ` +
        `INSERT … SELECT of series and samples ${r.insert_select_per_s.toLocaleString('en')}/s ` +
        `(sink ${r.create_vs_floor}× of it; ${r.create_vs_series_floor}× of the series statement alone); ` +
        `series alone through the plugin ${r.series_create_per_s.toLocaleString('en')}/s ` +
        `(${r.series_create_vs_series_floor}× of the series statement); ` +
        `CPU µs a series: created ${r.create_ours_us} ours + ${r.create_db_us} database, looked up ` +
        `${r.lookup_ours_us} + ${r.lookup_db_us}, series alone ${r.series_create_ours_us} + ` +
        `${r.series_create_db_us}, floor ${r.floor_db_us} database ` +
        `(${r.floor_series_db_us} series + ${r.floor_samples_db_us} samples)`,
    );
    return r;
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await measureSeries({ series: Number(process.argv[2] ?? 240_000) });
  console.log(`BENCH_RESULT ${JSON.stringify(r)}`);
}
