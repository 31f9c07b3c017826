// Storage size and compaction cost of the samples (issue #18): bytes per sample on disk, row
// layout against compressed chunks, on PostgreSQL 15 and on PGlite, for a fleet-like mix.
//
//   npx tsc -b packages/plugin-postgres && node bench/postgres/storage.mjs [routers=20] [hours=8] [pg|pglite|both]
//
// The mix, per router polled every 60 s (269 series, about what a 24-port router gives): per
// interface in/out octets (Counter64, diurnal traffic with noise; a third of the ports idle),
// in/out packets, in/out errors and discards (rarely moving), oper/admin status and speed
// (constant); per router CPU (float), memory (integer bytes), temperature, uptime ticks and up.
// One timestamp per router poll, with scheduling jitter. Both layouts get the same samples through
// the plugin's writer; then one maintenance round after the last window closed: the row layout
// rolls up, the chunk layout compacts everything (and rolls up in the same pass). Sizes are
// `pg_total_relation_size` (heap, indexes, TOAST) over every partition, after a plain VACUUM
// (which gives back the space of the rows moved into chunks, as autovacuum does).
// CPU: this process (`process.cpuUsage`, includes PGlite's worker) plus, on PostgreSQL, the
// backend's own utime+stime from /proc (a pool of one connection), and beside it every process of
// the server (postmaster, its live children, and the children it reaped meanwhile: autovacuum,
// WAL writer, checkpointer) — the target counts the database's CPU as well as ours.
//
// LAYOUTS=chunks (or rows) measures one layout only (default both; the reference is the rows').
// STORAGE_DIST=folder measures another build of the plugin (its dist folder), for before/after
// runs of two commits alternately in the same minute.
//
// STATEMENTS=1 (PostgreSQL) prints each maintenance round's statements by total time, from
// pg_stat_statements.
//
// ALLOC=1 prints, for each maintenance round, the functions that allocated most (sampling heap
// profiler, garbage included).
//
// SIZES=1 prints, after the compaction round, every relation of the sample tables that is not
// empty: its heap, indexes and TOAST apart (where the bytes of a small run go).
//
// PROFILE=prefix writes a V8 CPU profile of each maintenance round alone (`prefix-<engine>-<layout>-
// compact.cpuprofile`, `…-materialize.cpuprofile`; summarise with bench/support/profile-summary.mjs).
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Registry } from 'prom-client';
import { seededRandom } from '../../test/support/seeded-random.mjs';
import { startPgServer } from '../support/pg-server.mjs';
import { procCpu, treeCpu } from '../support/proc-cpu.mjs';
import { silent } from '../support/silent.mjs';

const dist = process.env.STORAGE_DIST
  ? pathToFileURL(`${process.env.STORAGE_DIST}/`).href
  : new URL('../../packages/plugin-postgres/dist/', import.meta.url).href;
const { applyMigrations, openPg, openPglite, optionsSchema, Storage } = await import(`${dist}index.js`);
const { createDbMetrics } = await import(`${dist}metrics.js`);
const partitions = await import(`${dist}schema/partitions.js`);
const job = await import(`${dist}maintenance/job.js`);

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const routers = Number(process.argv[2] ?? 20);
const hours = Number(process.argv[3] ?? 8);
/** Scheduling and response-time jitter of a poll's timestamp, ms (uniform in [0, JITTER)). */
const JITTER = Number(process.env.JITTER ?? 100);
// The data ends at a day's end: that day's row partition is then wholly compacted (and truncated).
const T0 = Date.UTC(2030, 0, 8) - hours * HOUR;
const engines = (process.argv[4] ?? 'both') === 'both' ? ['pg', 'pglite'] : [process.argv[4]];
const END = T0 + hours * HOUR;
const layouts = (process.env.LAYOUTS ?? 'rows,chunks').split(',').map((l) => l === 'chunks');

/** One router's polls, as batches of samples (one per poll). */
function* routerPolls(r) {
  const rand = seededRandom(r + 1);
  const device = `r${r}`;
  const ports = Array.from({ length: 24 }, (_, p) => ({
    ifName: `ether${p + 1}`,
    rate: p % 3 === 2 ? 0 : 1e5 + rand() * 5e7,
    size: 400 + rand() * 800,
    octets: [BigInt(Math.floor(rand() * 1e12)), BigInt(Math.floor(rand() * 1e12))],
    packets: [BigInt(Math.floor(rand() * 1e9)), BigInt(Math.floor(rand() * 1e9))],
    errors: [0, 0],
    discards: [Math.floor(rand() * 100), 0],
  }));
  let memory = 200_000_000 + Math.floor(rand() * 1e8);
  const offset = Math.floor(rand() * 60_000);
  for (let ts = T0 + offset; ts < END; ts += MIN) {
    const t = ts + Math.floor(rand() * JITTER);
    const day = Math.sin(((t % 86_400_000) / 86_400_000) * 2 * Math.PI);
    const out = [];
    for (const p of ports) {
      const labels = { device, ifName: p.ifName };
      for (const dir of [0, 1]) {
        const bytes = p.rate * 60 * (1 + 0.3 * day) * (0.9 + 0.2 * rand());
        p.octets[dir] += BigInt(Math.floor(bytes));
        p.packets[dir] += BigInt(Math.floor(bytes / p.size));
        if (rand() < 0.01) p.errors[dir] += 1;
        if (rand() < 0.02) p.discards[dir] += Math.ceil(rand() * 3);
        const d = dir ? 'out' : 'in';
        out.push({ name: `interface_${d}_octets_total`, labels, value: p.octets[dir], ts: t });
        out.push({ name: `interface_${d}_packets_total`, labels, value: p.packets[dir], ts: t });
        out.push({ name: `interface_${d}_errors_total`, labels, value: p.errors[dir], ts: t });
        out.push({ name: `interface_${d}_discards_total`, labels, value: p.discards[dir], ts: t });
      }
      out.push({ name: 'interface_oper_status', labels, value: p.rate ? 1 : 2, ts: t });
      out.push({ name: 'interface_admin_status', labels, value: 1, ts: t });
      out.push({ name: 'interface_speed_bps', labels, value: 1e9, ts: t });
    }
    memory += Math.floor((rand() - 0.5) * 1e6);
    out.push({
      name: 'device_cpu_load_ratio',
      labels: { device },
      value: Math.round(rand() * 40) / 100,
      ts: t,
    });
    out.push({ name: 'device_memory_used_bytes', labels: { device }, value: memory, ts: t });
    out.push({
      name: 'device_temperature_celsius',
      labels: { device },
      value: 40 + Math.floor(rand() * 3),
      ts: t,
    });
    out.push({
      name: 'device_uptime_ticks_total',
      labels: { device },
      value: Math.floor((t - T0) / 10) + 1e6,
      ts: t,
    });
    out.push({ name: 'device_up', labels: { device }, value: 1, ts: t });
    yield out;
  }
}

/** Every router's polls merged in time order, in batches of about `size` samples. */
function* fleetBatches(size) {
  const gens = Array.from({ length: routers }, (_, r) => routerPolls(r));
  let batch = [];
  for (;;) {
    let any = false;
    for (const g of gens) {
      const next = g.next();
      if (next.done) continue;
      any = true;
      batch.push(...next.value);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (!any) break;
  }
  if (batch.length) yield batch;
}

const clock = (t) => ({ now: () => t.now, setTimeout: () => undefined, clearTimeout: () => {} });

async function backendCpu(db) {
  if (db.engine !== 'postgres') return 0;
  const pid = (await db.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  return procCpu(pid);
}

/** CPU used so far: this process, our backend, the whole server (seconds). */
async function cpuNow(db, postmaster) {
  const c = process.cpuUsage();
  return { ours: (c.user + c.system) / 1e6, backend: await backendCpu(db), server: treeCpu(postmaster) };
}

/** CPU between two `cpuNow` readings; `total` is ours plus the whole server's. */
function cpuSince(a, b) {
  const ours = b.ours - a.ours;
  const backend = b.backend - a.backend;
  const server = b.server - a.server;
  return { ours, backend, server, total: ours + server };
}

/** With STATEMENTS set, on PostgreSQL: the statements `fn` ran, by total time (printed). */
async function statements(db, name, fn) {
  if (!process.env.STATEMENTS || db.engine !== 'postgres') return fn();
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await db.query('SELECT pg_stat_statements_reset()');
  const out = await fn();
  const res = await db.query(
    `SELECT calls, total_exec_time::float8 AS ms, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS q
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time DESC LIMIT 12`,
  );
  console.log(`statements of ${name}:`);
  for (const r of res.rows)
    console.log(
      `  ${r.ms.toFixed(0).padStart(7)} ms ${String(r.calls).padStart(6)} calls ${String(r.rows).padStart(8)} rows  ${r.q}`,
    );
  return out;
}

/**
 * Runs `fn`; with PROFILE set, under the V8 profiler, written to `${PROFILE}-${name}.cpuprofile`;
 * with ALLOC set, under the sampling heap profiler (garbage included: what the collector has to
 * work through), printing the functions that allocated most.
 */
async function profiled(name, fn) {
  if (process.env.ALLOC) return allocations(name, fn);
  if (!process.env.PROFILE) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(`${process.env.PROFILE}-${name}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  }
}

/** `fn` under the sampling heap profiler: the top allocating functions, by bytes (garbage included). */
async function allocations(name, fn) {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    session.disconnect();
    const by = new Map();
    let total = 0;
    const walk = (node) => {
      const f = node.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
      by.set(key, (by.get(key) ?? 0) + node.selfSize);
      total += node.selfSize;
      for (const c of node.children) walk(c);
    };
    walk(profile.head);
    console.log(`allocations of ${name}: ${(total / 2 ** 20).toFixed(0)} MiB sampled`);
    for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 15))
      console.log(
        `  ${((100 * v) / total).toFixed(1).padStart(5)} %  ${(v / 2 ** 20).toFixed(1).padStart(7)} MiB  ${k}`,
      );
  }
}

async function sizes(db) {
  const res = await db.query(
    `SELECT p.parent, sum(pg_total_relation_size(t.relid))::float8 AS bytes
       FROM unnest(ARRAY['ispm_samples', 'ispm_chunks', 'ispm_chunk_times', 'ispm_rollup_5m', 'ispm_rollup_1h', 'ispm_series']) AS p(parent),
            -- a plain table has no partition tree: itself (a partitioned parent's own size is 0)
            LATERAL (SELECT relid FROM pg_partition_tree(p.parent::regclass) UNION SELECT p.parent::regclass) t
      GROUP BY 1`,
  );
  return Object.fromEntries(res.rows.map((r) => [r.parent, Number(r.bytes)]));
}

/** With SIZES set: every non-empty relation of the sample tables, heap / indexes / TOAST in bytes. */
async function relationSizes(db, title) {
  if (!process.env.SIZES) return;
  const res = await db.query(
    `SELECT t.relid::regclass::text AS rel, pg_relation_size(t.relid)::float8 AS heap,
            pg_indexes_size(t.relid)::float8 AS idx,
            (pg_total_relation_size(t.relid) - pg_relation_size(t.relid) - pg_indexes_size(t.relid))::float8 AS toast
       FROM unnest(ARRAY['ispm_samples', 'ispm_chunks', 'ispm_chunk_times', 'ispm_rollup_5m', 'ispm_rollup_1h', 'ispm_series']) AS p(parent),
            LATERAL (SELECT relid FROM pg_partition_tree(p.parent::regclass) UNION SELECT p.parent::regclass) t
      WHERE pg_total_relation_size(t.relid) > 0 ORDER BY 1`,
  );
  console.log(`relations of ${title} (bytes: heap / indexes / TOAST):`);
  for (const r of res.rows) console.log(`  ${r.rel.padEnd(36)} ${r.heap} / ${r.idx} / ${r.toast}`);
}

/**
 * The partitions a round at `now` creates ahead (the default two days), created before it is
 * measured: a day's tables are created once a day whatever the fleet, not a cost per sample, and
 * this benchmark's few samples would make them look like one.
 */
async function partitionsAhead(db, now, chunks) {
  // The round's own choice where the build has it (raw sample days a few hours ahead only, no
  // empty rollup partitions ahead with chunks); older builds create all of them two days ahead.
  if (job.ensureAhead) return job.ensureAhead(db, { partitionsAheadDays: 2, rollups: true, chunks }, now);
  for (const table of [partitions.SAMPLES, partitions.ROLLUP_5M, partitions.ROLLUP_1H]) {
    await partitions.ensurePartitions(db, table, now, now + 2 * DAY);
  }
}

async function measure(engine, db, chunks, postmaster) {
  await applyMigrations(db);
  const t = { now: END + 5 * MIN };
  const options = optionsSchema.parse({ chunks: { enabled: chunks }, rollups: { lateness: '1d' } });
  const storage = new Storage(
    db,
    options,
    clock(t),
    createDbMetrics(new Registry(), () => db.poolStats()),
    silent,
  );
  let samples = 0;
  const w0 = Date.now();
  for (const batch of fleetBatches(20_000)) samples += (await storage.write(batch)).accepted;
  const writeSeconds = (Date.now() - w0) / 1000;
  // The row layout's rollups run every minute as the data arrives; one round here covers it all.
  t.now = END + 2 * HOUR + 5 * MIN;
  const layout = chunks ? 'chunks' : 'rows';
  await partitionsAhead(db, t.now, chunks ? {} : undefined);
  const cpu0 = await cpuNow(db, postmaster);
  const wall0 = Date.now();
  const report = await statements(db, `${engine}-${layout}-compact`, () =>
    profiled(`${engine}-${layout}-compact`, () => storage.maintain()),
  );
  const wall = (Date.now() - wall0) / 1000;
  const maintainCpu = cpuSince(cpu0, await cpuNow(db, postmaster));
  // PGlite runs in this process (its worker): all of it is in `ours`.
  const cpu = maintainCpu.total;
  // The next round a minute later: a row partition that was busy (autovacuum) is truncated now.
  t.now += MIN;
  await storage.maintain();
  await db.query('VACUUM ANALYZE');
  // A router's day of one interface, as the interface chart asks for it (rate at 60 s and 5 min,
  // and the raw points), read 40 times each: p50 and p99 in ms.
  const latency = {};
  for (const [label, q] of [
    ['raw', { step: 0, fn: 'raw' }],
    ['rate60s', { step: MIN, fn: 'rate' }],
    ['rate5m', { step: 5 * MIN, fn: 'rate' }],
  ]) {
    const times = [];
    for (let i = 0; i < 40; i++) {
      const a = performance.now();
      await storage.range({
        name: 'interface_in_octets_total',
        labels: { device: 'r0', ifName: 'ether1' },
        from: END - 24 * HOUR,
        to: END,
        ...q,
      });
      times.push(performance.now() - a);
    }
    times.sort((x, y) => x - y);
    latency[label] = { p50: +times[20].toFixed(1), p99: +times[39].toFixed(1) };
  }
  const s = await sizes(db);
  await relationSizes(db, `${engine} ${chunks ? 'chunks' : 'rows'}`);
  const kept = (s.ispm_samples ?? 0) + (s.ispm_chunks ?? 0) + (s.ispm_chunk_times ?? 0);
  const rollups = (s.ispm_rollup_5m ?? 0) + (s.ispm_rollup_1h ?? 0);
  // Encoded bytes per sample by metric: where the bits go.
  const byName = chunks
    ? (
        await db.query(
          `SELECT s.name, (sum(octet_length(c.data))::float8 / sum(c.count))::numeric(6, 2)::text AS b
             FROM ispm_chunks c JOIN ispm_series s ON s.id = c.series_id GROUP BY 1 ORDER BY 2 DESC`,
        )
      ).rows.map((r) => `${r.name} ${r.b}`)
    : undefined;
  // With chunks the rollups are written a day before the samples expire (raw retention 7 days):
  // that round's CPU and the rollup rows it leaves, for the same samples.
  let materialize;
  if (chunks) {
    t.now = END + 6 * DAY + HOUR;
    await partitionsAhead(db, t.now, chunks ? {} : undefined);
    const m0 = await cpuNow(db, postmaster);
    const report = await statements(db, `${engine}-${layout}-materialize`, () =>
      profiled(`${engine}-${layout}-materialize`, () => storage.maintain()),
    );
    const mcpu = cpuSince(m0, await cpuNow(db, postmaster));
    const cpu = mcpu.total;
    await db.query('VACUUM ANALYZE');
    const after = await sizes(db);
    materialize = {
      cpuSeconds: cpu,
      cpu: mcpu,
      cpuMicrosPerSample: (cpu / samples) * 1e6,
      rows5m: report.materialized?.rows5m,
      rows1h: report.materialized?.rows1h,
      rollupsPerSample: ((after.ispm_rollup_5m ?? 0) + (after.ispm_rollup_1h ?? 0)) / samples,
    };
  }
  return {
    engine,
    layout: chunks ? 'chunks' : 'rows',
    materialize,
    samples,
    writeSeconds,
    bytesPerSample: kept / samples,
    seriesPerSample: (s.ispm_series ?? 0) / samples,
    rollupsPerSample: rollups / samples,
    totalPerSample: (kept + rollups + (s.ispm_series ?? 0)) / samples,
    maintainCpuSeconds: cpu,
    maintainCpu,
    maintainWallSeconds: wall,
    cpuMicrosPerSample: (cpu / samples) * 1e6,
    compaction: report.compaction,
    sizes: s,
    encodedBytesPerSample: byName,
    interfaceDayMs: latency,
  };
}

const results = [];
if (engines.includes('pg')) {
  const server = await startPgServer({
    settings: process.env.STATEMENTS ? ["shared_preload_libraries = 'pg_stat_statements'"] : [],
  });
  try {
    const postmaster = Number(readFileSync(`${server.data}/postmaster.pid`, 'utf8').split('\n')[0]);
    for (const chunks of layouts) {
      const db = await openPg({ url: await server.createDatabase(chunks ? 'chunks' : 'rows'), max: 1 });
      try {
        results.push(await measure('postgres', db, chunks, postmaster));
      } finally {
        await db.close();
      }
    }
  } finally {
    await server.stop();
  }
}
if (engines.includes('pglite')) {
  for (const chunks of layouts) {
    const dir = await mkdtemp(join(tmpdir(), 'ispm-bench-pglite-'));
    const db = await openPglite({ dataDir: join(dir, 'data') });
    try {
      results.push(await measure('pglite', db, chunks));
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  }
}

// At 10,000 routers the fleet writes ~53,500 samples/s (docs/scaling.md: ~320 series a router,
// polled every 60 s; this mix has 269 of them): the share of one core the maintenance work of that
// many samples takes, at the CPU per sample measured here. Goal (#18): compaction and rollups
// together ≤ 15 % of one core, i.e. ≤ 0.15 core / 53,500 samples/s = 2.8 µs a sample.
const perSecondAt10k = 53_500;
const share = (us) => (us * perSecondAt10k) / 1e4; // % of one core
const cpuText = (c) =>
  `ours ${c.ours.toFixed(2)} + PostgreSQL ${c.server.toFixed(2)} (its backend ${c.backend.toFixed(2)}) CPU-s`;
console.log(`routers ${routers}, hours ${hours}, ${routers * 269} series, poll jitter up to ${JITTER} ms`);
for (const r of results) {
  console.log(
    [
      `${r.engine.padEnd(8)} ${r.layout.padEnd(6)}`,
      `samples ${r.samples}`,
      `samples+chunks ${r.bytesPerSample.toFixed(2)} B/sample`,
      `rollups ${r.rollupsPerSample.toFixed(2)} B/sample`,
      `series ${r.seriesPerSample.toFixed(2)} B/sample`,
      `all ${r.totalPerSample.toFixed(2)} B/sample`,
      `maintenance ${cpuText(r.maintainCpu)}, ${r.maintainWallSeconds.toFixed(1)} s wall: ${r.cpuMicrosPerSample.toFixed(2)} µs/sample → ${share(r.cpuMicrosPerSample).toFixed(1)} % of a core at 10,000 routers`,
      `write ${r.writeSeconds.toFixed(1)} s`,
      ...(r.materialize
        ? [
            `rollups written before expiry: ${r.materialize.rollupsPerSample.toFixed(2)} B/sample, ${cpuText(r.materialize.cpu)}: ${r.materialize.cpuMicrosPerSample.toFixed(2)} µs/sample → ${share(r.materialize.cpuMicrosPerSample).toFixed(1)} % of a core at 10,000 routers`,
          ]
        : []),
      `one interface's day (ms p50/p99): ${Object.entries(r.interfaceDayMs)
        .map(([k, v]) => `${k} ${v.p50}/${v.p99}`)
        .join(', ')}`,
    ].join(' | '),
  );
}
console.log(JSON.stringify(results));

// The figures the issue's targets need: per engine, the chunk layout's compaction + rollups CPU
// per sample (ours and the database's) and its share of a core at 10,000 routers; reference: the
// row layout's rollup round in the same run.
const figures = {};
const reference = {};
const ratios = {};
const goals = {};
for (const r of results) {
  const e = r.engine;
  if (r.layout === 'rows') {
    reference[`${e}_rows_rollup_us_per_sample`] = +r.cpuMicrosPerSample.toFixed(2);
    reference[`${e}_rows_all_bytes_per_sample`] = +r.totalPerSample.toFixed(2);
    continue;
  }
  const m = r.materialize;
  const us = (c) => (c / r.samples) * 1e6;
  figures[`${e}_bytes_per_sample`] = +r.totalPerSample.toFixed(2);
  figures[`${e}_compact_us_per_sample`] = +r.cpuMicrosPerSample.toFixed(2);
  figures[`${e}_compact_ours_us_per_sample`] = +us(r.maintainCpu.ours).toFixed(2);
  figures[`${e}_compact_db_us_per_sample`] = +us(r.maintainCpu.server).toFixed(2);
  if (m) {
    figures[`${e}_rollups_us_per_sample`] = +m.cpuMicrosPerSample.toFixed(2);
    figures[`${e}_rollups_ours_us_per_sample`] = +us(m.cpu.ours).toFixed(2);
    figures[`${e}_rollups_db_us_per_sample`] = +us(m.cpu.server).toFixed(2);
  }
  const total = r.cpuMicrosPerSample + (m?.cpuMicrosPerSample ?? 0);
  figures[`${e}_maintenance_us_per_sample`] = +total.toFixed(2);
  figures[`${e}_core_share_at_10k_pct`] = +share(total).toFixed(1);
  for (const [k, v] of Object.entries(r.interfaceDayMs)) figures[`${e}_interface_day_${k}_p99_ms`] = v.p99;
  const rows = results.find((x) => x.engine === e && x.layout === 'rows');
  if (rows) ratios[`${e}_maintenance_vs_rows_rollup`] = +(total / rows.cpuMicrosPerSample).toFixed(2);
  goals[`${e}_bytes_per_sample`] = '<= 3';
  goals[`${e}_maintenance_us_per_sample`] =
    e === 'postgres' ? '<= 2.8' : '(PGlite serves small fleets: no goal)';
  goals[`${e}_core_share_at_10k_pct`] = e === 'postgres' ? '<= 15' : '(PGlite serves small fleets: no goal)';
}
console.log(
  `BENCH_RESULT ${JSON.stringify({ name: 'storage', routers, hours, figures, reference, ratios, goals })}`,
);
