// Query-latency part of the storage benchmark (used by bench/postgres.mjs, runnable alone:
// `node bench/postgres/query.mjs [devices] [rows|chunks]`, after `npx tsc -b packages/plugin-postgres`).
//
// Two layouts of the same dataset: `rows` (raw rows with generated rollups; chunks off, so the
// monitor that measures never compacts the cached rows) and `chunks` (the raw rows compacted by
// the plugin's own maintenance rounds into a merged day chunk per series, no rollups stored:
// reads decode the chunks — issue #18's "one interface's 24 h from chunks, p99 ≤ 20 ms").
//
// The dataset: D devices × 24 interfaces × 1 day of `interface_in_octets_total` read every
// 5 minutes (288 readings a series, one UTC day), its 5-minute and hourly rollups, in the plugin's
// own tables. The plugin creates the schema and the partitions; the rows are generated with
// set-based SQL (generate_series), not through the plugin's rollup round (which took 9 minutes
// for 2,000 devices). `verifyGenerator` checks at a small scale that the generated rollups are
// exactly what the plugin's own rollup round computes from the same raw rows.
//
// The largest dataset is built once and cached in a durable data folder under .cache/bench/,
// reused while its schema and dataset versions match (rebuilt otherwise). The monitor that
// queries it runs on a clock set to just after the dataset's day, so the plugin sees the data as
// fresh (no retention, no rollup backlog) whenever the cache was built.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createMonitor } from '@ispmonitor/core';
import {
  applyMigrations,
  LATEST_VERSION,
  openPg,
  postgres,
  postgresStore,
} from '@ispmonitor/plugin-postgres';
import { PG_BIN, startPgServer } from '../support/pg-server.mjs';
import { silent } from '../support/silent.mjs';

const run = promisify(execFile);
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const READINGS = 288;
const STEP_VALUE = 1_500_000;
/** Bump when the generated rows change: a cached dataset of another version is rebuilt. */
export const DATASET_VERSION = 1;
const NAME = 'interface_in_octets_total';
/** Queries measured in a standalone run (BENCH_QUERY_RUNS), after WARMUP unmeasured ones. */
const RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 200);
const WARMUP = 20;

/** A clock that reads `now` at once and then runs with the real one (shared with bench/subscribers.mjs). */
export function shiftedClock(now) {
  const shift = Date.now() - now;
  return {
    now: () => Date.now() - shift,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h),
  };
}

async function openMonitor(url, now, layout = 'rows') {
  const monitor = await createMonitor({
    plugins: [
      postgres({
        url,
        pool: { max: 2, statementTimeout: '30m' },
        maintenance: { interval: '1d' },
        chunks: { enabled: layout === 'chunks' },
      }),
    ],
    logger: silent,
    clock: shiftedClock(now),
  });
  await monitor.start();
  return { monitor, store: monitor.resolve(postgresStore) };
}

/** Per-series base value; readings grow by STEP_VALUE every 5 minutes. */
const BASE = '((s.id::bigint * 7919) % 1000000)';

/**
 * Fills database `url` (empty) with `devices` × 24 interfaces for the UTC day ending at `end`:
 * raw samples, or (`rollups: true`) raw samples plus generated 5-minute and hourly rollups and
 * their watermarks. Two connections work on alternate device slices (the machine has 2 cores).
 */
export async function buildDataset(url, devices, end, { rollups = true, log = () => {} } = {}) {
  const start = end - DAY;
  // The plugin creates the schema and the partitions of the day (its clock just after midnight).
  const m = await openMonitor(url, start + MIN);
  await m.monitor.stop();
  const db = await openPg({ url, max: 2, statementTimeoutMs: 0 });
  try {
    await db.query(
      `INSERT INTO ispm_series (name, labels, kind)
       SELECT $1, jsonb_build_object('device', 'd' || d, 'ifName', 'eth' || i), 'counter'
         FROM generate_series(0, $2::int - 1) d, generate_series(0, 23) i ORDER BY d, i`,
      [NAME, devices],
    );
    const ids = (
      await db.query('SELECT min(id) AS lo, max(id) AS hi FROM ispm_series WHERE name = $1', [NAME])
    ).rows[0];
    const lo = Number(ids.lo);
    const hi = Number(ids.hi);
    const slice = 12_000; // series per statement (500 devices)
    const jobs = [];
    for (let a = lo; a <= hi; a += slice) {
      const range = [a, Math.min(hi, a + slice - 1)];
      jobs.push({ table: 'samples', range });
      if (rollups) jobs.push({ table: '5m', range }, { table: '1h', range });
    }
    const startIso = new Date(start).toISOString();
    const sql = {
      // Series-major order, so the primary-key indexes grow at their right edge.
      samples: `INSERT INTO ispm_samples (series_id, ts, value, raw)
        SELECT s.id, $3::timestamptz + g.k * interval '5 minutes', g.v, g.v::bigint
          FROM ispm_series s CROSS JOIN LATERAL (
            SELECT k, (${BASE} + k * ${STEP_VALUE})::float8 AS v FROM generate_series(0, ${READINGS - 1}) k) g
         WHERE s.id BETWEEN $1 AND $2`,
      // One reading per bucket: count 1, min = max = sum = last; the increase is the step from the
      // previous reading (none before the first reading of the day).
      '5m': `INSERT INTO ispm_rollup_5m (series_id, bucket, count, min, max, sum, last, last_raw, last_ts, increase)
        SELECT s.id, t, 1, g.v, g.v, g.v, g.v, g.v::bigint, t,
               CASE WHEN g.k = 0 THEN NULL ELSE ${STEP_VALUE}::float8 END
          FROM ispm_series s CROSS JOIN LATERAL (
            SELECT k, (${BASE} + k * ${STEP_VALUE})::float8 AS v FROM generate_series(0, ${READINGS - 1}) k) g
          CROSS JOIN LATERAL (SELECT $3::timestamptz + g.k * interval '5 minutes' AS t) b
         WHERE s.id BETWEEN $1 AND $2`,
      // Twelve readings an hour, in closed form.
      '1h': `INSERT INTO ispm_rollup_1h (series_id, bucket, count, min, max, sum, last, last_raw, last_ts, increase)
        SELECT s.id, $3::timestamptz + h * interval '1 hour', 12,
               ${BASE} + 12 * h * ${STEP_VALUE}, ${BASE} + (12 * h + 11) * ${STEP_VALUE},
               12 * ${BASE} + (144 * h + 66)::float8 * ${STEP_VALUE},
               ${BASE} + (12 * h + 11) * ${STEP_VALUE}, ${BASE} + (12 * h + 11) * ${STEP_VALUE},
               $3::timestamptz + (12 * h + 11) * interval '5 minutes',
               CASE WHEN h = 0 THEN 11 ELSE 12 END * ${STEP_VALUE}::float8
          FROM ispm_series s, generate_series(0, 23) h
         WHERE s.id BETWEEN $1 AND $2`,
    };
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        await db.query(sql[job.table], [job.range[0], job.range[1], startIso]);
        done++;
        if (done % 10 === 0 || done === jobs.length) log(`  ${done}/${jobs.length} slices`);
      }
    };
    await Promise.all([worker(), worker()]);
    if (rollups) {
      await db.query(
        `INSERT INTO ispm_rollup_state (level, done_until) VALUES ('rollup_5m', $1), ('rollup_1h', $1)
         ON CONFLICT (level) DO UPDATE SET done_until = excluded.done_until`,
        [new Date(end).toISOString()],
      );
    }
    // As autovacuum would leave it: statistics, visibility map and hint bits set.
    await db.query('VACUUM (ANALYZE) ispm_series');
    await Promise.all([
      db.query('VACUUM (ANALYZE) ispm_samples'),
      rollups ? db.query('VACUUM (ANALYZE) ispm_rollup_5m') : null,
    ]);
    if (rollups) await db.query('VACUUM (ANALYZE) ispm_rollup_1h');
    await db.query('CHECKPOINT');
  } finally {
    await db.close();
  }
}

/**
 * Checks the generator against the plugin: generates raw samples only for a few devices, lets
 * the plugin's own maintenance round roll them up, and compares with the generated rollups of
 * the same rows (in another database). Throws on any difference.
 */
export async function verifyGenerator(server, devices = 3) {
  const end = Math.floor(Date.now() / DAY) * DAY - DAY;
  const viaPlugin = await server.createDatabase('verify_plugin');
  const generated = await server.createDatabase('verify_generated');
  await buildDataset(viaPlugin, devices, end, { rollups: false });
  await buildDataset(generated, devices, end, { rollups: true });
  const m = await openMonitor(viaPlugin, end + 2 * MIN);
  await m.store.maintain(end + 2 * MIN);
  await m.monitor.stop();
  const cols = 'series_id, bucket, count, min, max, sum, last, last_raw, last_ts, increase';
  const a = await openPg({ url: viaPlugin, max: 1 });
  const b = await openPg({ url: generated, max: 1 });
  try {
    for (const table of ['ispm_rollup_5m', 'ispm_rollup_1h']) {
      const read = async (db) =>
        (await db.query(`SELECT ${cols} FROM ${table} ORDER BY series_id, bucket`)).rows.map((r) =>
          JSON.stringify(r),
        );
      const [x, y] = [await read(a), await read(b)];
      const expected = devices * 24 * (table === 'ispm_rollup_5m' ? READINGS : 24);
      if (x.length !== expected || y.length !== expected)
        throw new Error(
          `${table}: ${x.length} rows from the plugin, ${y.length} generated, ${expected} expected`,
        );
      const diff = x.findIndex((row, i) => row !== y[i]);
      if (diff >= 0)
        throw new Error(`${table} differs at row ${diff}: plugin ${x[diff]} generated ${y[diff]}`);
    }
  } finally {
    await a.close();
    await b.close();
  }
}

/** Bytes of the files under `dir` (a cached dataset's size on disk). */
export async function folderBytes(dir) {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) n += statSync(join(e.parentPath ?? e.path, e.name)).size;
  }
  return n;
}

/** Brings a cached dataset at `url` to the current schema, saying how long it took. */
export async function migrateCached(url, log) {
  const db = await openPg({ url, max: 1, statementTimeoutMs: 0 });
  try {
    const t0 = performance.now();
    const report = await applyMigrations(db);
    log(
      `cached dataset migrated ${JSON.stringify(report)} in ${Math.round((performance.now() - t0) / 1000)} s`,
    );
  } finally {
    await db.close();
  }
}

/**
 * The cached dataset of `devices`: starts its server (building the dataset first when the cache is
 * absent or stale) and returns { server, url, meta, built }.
 */
const CACHE = fileURLToPath(new URL('../../.cache/bench/', import.meta.url));

/**
 * The chunk layout of a dataset built with `rollups: false`: the plugin's maintenance rounds, on a
 * clock three hours after the day, compact its windows and merge the day (until a round finds
 * nothing left), as they would have on a live system.
 */
async function compactDataset(url, end, log) {
  const at = end + 3 * 60 * MIN;
  const m = await openMonitor(url, at, 'chunks');
  try {
    for (;;) {
      const r = await m.store.maintain(at);
      log(`  maintenance round: ${JSON.stringify({ compaction: r.compaction, merged: r.merged })}`);
      if ((r.compaction?.windows ?? 0) === 0 && (r.merged?.days ?? 0) === 0) break;
    }
  } finally {
    await m.monitor.stop();
  }
  const db = await openPg({ url, max: 1, statementTimeoutMs: 0 });
  try {
    await db.query('VACUUM (ANALYZE)');
    await db.query('CHECKPOINT');
  } finally {
    await db.close();
  }
}

export async function cachedDataset(devices, { root = CACHE, log = console.log, layout = 'rows' } = {}) {
  const dataDir = join(root, layout === 'chunks' ? `pg-query-chunks-${devices}` : `pg-query-${devices}`);
  const metaFile = `${dataDir}.json`;
  let meta = existsSync(metaFile) ? JSON.parse(readFileSync(metaFile, 'utf8')) : undefined;
  const same = meta?.datasetVersion === DATASET_VERSION && meta?.devices === devices;
  // A dataset of an older schema is migrated in place, as a user's database would be.
  const upgrade = same && meta.schemaVersion < LATEST_VERSION;
  const fresh = same && (upgrade || meta.schemaVersion === LATEST_VERSION);
  if (!fresh) {
    if (meta) log(`cached dataset ${dataDir} is stale (${JSON.stringify(meta)}): rebuilding`);
    rmSync(metaFile, { force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
  let server = await startPgServer({ durable: fresh, dataDir });
  try {
    let url = server.url('bench');
    if (!fresh) {
      await server.createDatabase('bench');
      const end = Math.floor(Date.now() / DAY) * DAY;
      const t0 = performance.now();
      log(`building ${devices} devices × 24 interfaces × 1 day in ${dataDir} …`);
      await buildDataset(url, devices, end, { log, rollups: layout !== 'chunks' });
      if (layout === 'chunks') await compactDataset(url, end, log);
      const buildS = Math.round((performance.now() - t0) / 1000);
      // The build leaves gigabytes of WAL segments kept for reuse; after a clean shutdown they
      // hold nothing the data needs, and pg_resetwal removes them.
      await server.stop();
      await run('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_resetwal'), dataDir]);
      server = await startPgServer({ durable: true, dataDir });
      url = server.url('bench');
      meta = {
        schemaVersion: LATEST_VERSION,
        datasetVersion: DATASET_VERSION,
        devices,
        layout,
        end,
        rows: {
          samples: devices * 24 * READINGS,
          rollup5m: devices * 24 * READINGS,
          rollup1h: devices * 24 * 24,
        },
        buildS,
        builtAt: new Date().toISOString(),
        bytes: await folderBytes(dataDir),
      };
      writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
      log(`built in ${buildS} s, ${(meta.bytes / 2 ** 30).toFixed(1)} GiB on disk`);
    } else {
      if (upgrade) {
        await migrateCached(url, log);
        meta = { ...meta, schemaVersion: LATEST_VERSION, bytes: await folderBytes(dataDir) };
        writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
      }
      const v = await server.psql('bench', ['-At', '-c', 'SELECT max(version) FROM ispm_schema_migrations']);
      if (Number(v.stdout.trim()) !== LATEST_VERSION)
        throw new Error(`cached dataset has schema ${v.stdout}`);
    }
    return { server, url, meta, built: !fresh };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const pct = (xs, p) => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/**
 * The plugin's own query, through the store API the server uses: 24 h of 5-minute rates of one
 * interface ending at the dataset's end. `same`: one interface 50 times (warm); `spread`: a
 * different device each run (its pages mostly not in PostgreSQL's buffers yet).
 */
export async function measureQuery(url, devices, end, runs = 50, layout = 'rows') {
  const m = await openMonitor(url, end + 2 * MIN, layout);
  try {
    const query = (d, i) => ({
      name: NAME,
      labels: { device: `d${d}`, ifName: `eth${i}` },
      from: end - DAY,
      to: end,
      step: 5 * MIN,
      fn: 'rate',
    });
    const source = m.store.sourceOf(query(0, 0));
    const time = async (q) => {
      const t = performance.now();
      const out = await m.store.range(q);
      const ms = performance.now() - t;
      const points = out[0]?.points.length ?? 0;
      if (points < 280) throw new Error(`expected ~288 points, got ${points}`);
      return ms;
    };
    const fixed = query(Math.floor(devices / 2), 7);
    // Warm up this process (JIT) and the series' pages first: p99 is about the steady state.
    for (let i = 0; i < WARMUP; i++) await time(fixed);
    const same = [];
    // This process's CPU per query too: on a busy machine the wall times are mostly waiting.
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < runs; i++) same.push(await time(fixed));
    const cpu = process.cpuUsage(cpu0);
    const spread = [];
    let seed = 12345;
    for (let i = 0; i < runs; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      spread.push(await time(query(seed % devices, seed % 24)));
    }
    const r2 = (x) => +x.toFixed(2);
    return {
      source,
      p50_ms: r2(pct(same, 0.5)),
      p95_ms: r2(pct(same, 0.95)),
      p99_ms: r2(pct(same, 0.99)),
      client_cpu_ms: r2((cpu.user + cpu.system) / 1000 / runs),
      spread_p50_ms: r2(pct(spread, 0.5)),
      spread_p95_ms: r2(pct(spread, 0.95)),
      spread_p99_ms: r2(pct(spread, 0.99)),
    };
  } finally {
    await m.monitor.stop();
  }
}

/** Builds small datasets in a throw-away server and measures each (the growth curve). */
export async function measureScales(scales, runs = 50, log = console.log, layout = 'rows') {
  const server = await startPgServer({ durable: true });
  const out = {};
  try {
    const end = Math.floor(Date.now() / DAY) * DAY;
    for (const devices of scales) {
      const url = await server.createDatabase(`q${devices}`);
      const t0 = performance.now();
      await buildDataset(url, devices, end, { rollups: layout !== 'chunks' });
      if (layout === 'chunks') await compactDataset(url, end, () => {});
      const buildS = +((performance.now() - t0) / 1000).toFixed(1);
      out[devices] = {
        rows: devices * 24 * READINGS,
        layout,
        build_s: buildS,
        ...(await measureQuery(url, devices, end, runs, layout)),
      };
      log(`${devices} devices: ${JSON.stringify(out[devices])}`);
    }
  } finally {
    await server.stop();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  if (args[0] === 'verify') {
    const server = await startPgServer();
    try {
      await verifyGenerator(server);
      console.log('generated rollups equal the plugin’s own');
    } finally {
      await server.stop();
    }
  } else {
    const devices = Number(args[0] ?? 10_000);
    const layout = args[1] === 'chunks' ? 'chunks' : 'rows';
    // 100 runs each: p99 is the slowest but one. Small datasets are built in a throw-away server.
    const ds = devices <= 2_000 ? undefined : await cachedDataset(devices, { layout });
    try {
      const q = ds
        ? await measureQuery(ds.url, devices, ds.meta.end, RUNS, layout)
        : (await measureScales([devices], 100, console.log, layout))[devices];
      console.log(JSON.stringify({ devices, layout, meta: ds?.meta, ...q }));
      const figures = {
        [`${layout}_same_p99_ms`]: q.p99_ms,
        [`${layout}_spread_p99_ms`]: q.spread_p99_ms,
      };
      const goals = { [`${layout}_spread_p99_ms`]: '<= 20' };
      console.log(
        `BENCH_RESULT ${JSON.stringify({ name: 'postgres-query', devices, layout, figures, reference: {}, ratios: {}, goals })}`,
      );
    } finally {
      await ds?.server.stop();
    }
  }
}
