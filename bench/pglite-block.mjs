// How long PGlite's work blocks the caller's event loop, in its own thread and in the caller's
// (issue 18, point 5). Not a test: it prints figures and, last, `BENCH_RESULT {json}`.
//   node bench/pglite-block.mjs        (after `npx tsc -b packages/plugin-postgres`)
// Per mode, one in-memory PGlite gets the storage work of a busy minute: BENCH_BLOCK_ROWS rows
// (default 200,000) loaded by binary COPY in batches of 5,000, then a 5-minute-style rollup
// (GROUP BY over all of them) and a 24 h range read of one series, three times. Meanwhile a 10 ms
// timer ticks (what a poll timer is) and Node's event-loop delay histogram runs. Reported: delay
// p99 and max, how late the timer fired at worst, and its ticks (fired, expected, > 50 ms late).
//
//   BENCH_BLOCK_MODE=ingest node bench/pglite-block.mjs
// The sink's own path instead (SampleWriter and SeriesCache on PGlite in its worker, the default):
// BENCH_INGEST_ROUTERS routers (default 200) of the fleet's mix (24 interfaces × 13 series + 9
// device series each), one first round (every series created) then BENCH_INGEST_ROUNDS rounds
// (default 3) of samples, in batches of 5,000 as core's sink runner hands them over. Reported:
// CPU of the main thread (the poll loop's: /proc/thread-self/schedstat, nanoseconds on a core)
// and of the other threads (PGlite's worker) per sample, first round and steady rounds apart.
// A figure of CPU time: what a loaded machine skews least. Run it against a base build's dist
// (a worktree) and this one's, alternately, to compare.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import {
  applyMigrations,
  openPglite,
  SampleWriter,
  SeriesCache,
} from '../packages/plugin-postgres/dist/index.js';

const rows = Number(process.env.BENCH_BLOCK_ROWS ?? 200_000);
const BATCH = 5000;
const round = (x) => Math.round(x * 10) / 10;

async function work(db) {
  await db.query('CREATE TABLE s (series_id int, ts timestamptz, value float8, PRIMARY KEY (series_id, ts))');
  const t0 = Date.UTC(2030, 0, 1);
  for (let i = 0; i < rows; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(rows, i + BATCH); j++)
      batch.push([j % 2000, t0 + Math.floor(j / 2000) * 60_000, j]);
    await db.copy({
      table: 's',
      columns: ['series_id', 'ts', 'value'],
      rows: batch,
      binary: ['int4', 'timestamptz_ms', 'float8'],
    });
  }
  for (let k = 0; k < 3; k++) {
    await db.query(
      `SELECT series_id, date_bin('5 minutes', ts, '2000-01-01') AS b, min(value), max(value), avg(value), count(*)
         FROM s GROUP BY 1, 2`,
    );
    await db.query('SELECT ts, value FROM s WHERE series_id = $1 ORDER BY ts', [k]);
  }
}

async function measure(thread) {
  const db = await openPglite({ memory: true, thread });
  const h = monitorEventLoopDelay({ resolution: 10 });
  let ticks = 0;
  let late = 0;
  let due = performance.now() + 10;
  // The longest the timer waited beyond its due time, counting a wait still going on at the end
  // (a loop blocked from start to end fires nothing, and the histogram then records nothing).
  let worstMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    ticks++;
    if (now - due > 50) late++;
    worstMs = Math.max(worstMs, now - due);
    due = now + 10;
  }, 10);
  h.enable();
  const t0 = performance.now();
  await work(db);
  const seconds = (performance.now() - t0) / 1000;
  worstMs = Math.max(worstMs, performance.now() - due);
  h.disable();
  clearInterval(timer);
  await db.close();
  return {
    thread,
    seconds: round(seconds),
    lag_p99_ms: round(h.percentile(99) / 1e6),
    lag_max_ms: round(h.max / 1e6),
    timer_worst_late_ms: round(worstMs),
    ticks,
    ticks_expected: Math.floor((seconds * 1000) / 10),
    ticks_late_over_50ms: late,
  };
}

/** Nanoseconds this thread has run on a core (Linux). */
function threadCpuNs() {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
}

/** One round of the fleet's samples at `ts`: per router 24 interfaces × 13 series, 9 device series. */
function fleetRound(routers, ts) {
  const out = [];
  for (let r = 0; r < routers; r++) {
    const device = `sim-${r}`;
    for (let m = 0; m < 9; m++)
      out.push({ name: `device_metric_${m}`, labels: { device }, ts, value: r + m });
    for (let i = 0; i < 24; i++) {
      const labels = { device, ifName: `ether${i}` };
      for (let m = 0; m < 13; m++)
        out.push({
          name: `if_metric_${m}_total`,
          labels,
          ts,
          value: m < 4 ? BigInt(ts) * 1000n + BigInt(i) : ts % 1000,
        });
    }
  }
  return out;
}

async function ingest() {
  const routers = Number(process.env.BENCH_INGEST_ROUTERS ?? 200);
  const rounds = Number(process.env.BENCH_INGEST_ROUNDS ?? 3);
  const db = await openPglite({ memory: true });
  await applyMigrations(db);
  const series = new SeriesCache(db, 10_000_000);
  const writer = new SampleWriter(db, series, {
    chunkSize: 50_000,
    parallel: 1,
    minParallelChunk: 1000,
    maxAgeMs: 7 * 86_400_000,
    maxFutureMs: 600_000,
    counters: new Set(),
    rollups: false,
    now: () => Date.now(),
  });
  const t0 = Date.now() - (rounds + 1) * 60_000;
  const phases = [];
  for (let k = 0; k <= rounds; k++) {
    const samples = fleetRound(routers, t0 + k * 60_000);
    const cpu0 = process.cpuUsage();
    const main0 = threadCpuNs();
    const wall0 = performance.now();
    for (let i = 0; i < samples.length; i += BATCH) await writer.write(samples.slice(i, i + BATCH));
    const mainNs = threadCpuNs() - main0;
    const cpu = process.cpuUsage(cpu0);
    const allNs = (cpu.user + cpu.system) * 1000;
    phases.push({
      round: k === 0 ? 'first (series created)' : `steady ${k}`,
      samples: samples.length,
      seconds: round((performance.now() - wall0) / 1000),
      main_us_per_sample: Math.round((mainNs / samples.length / 1000) * 100) / 100,
      others_us_per_sample: Math.round(((allNs - mainNs) / samples.length / 1000) * 100) / 100,
    });
    console.error(phases.at(-1));
  }
  await db.close();
  const steady = phases.slice(1);
  const mean = (k) => Math.round((steady.reduce((n, p) => n + p[k], 0) / steady.length) * 100) / 100;
  return {
    name: 'pglite-ingest',
    routers,
    phases,
    steady_main_us_per_sample: mean('main_us_per_sample'),
    steady_others_us_per_sample: mean('others_us_per_sample'),
    load_avg: (await import('node:os')).loadavg().map((x) => round(x)),
  };
}

if (process.env.BENCH_BLOCK_MODE === 'ingest') {
  console.log(`BENCH_RESULT ${JSON.stringify(await ingest())}`);
} else {
  const results = [];
  for (const thread of ['main', 'worker']) {
    const r = await measure(thread);
    console.error(r);
    results.push(r);
  }
  console.log(`BENCH_RESULT ${JSON.stringify({ name: 'pglite-block', rows, results })}`);
}
