// Fleet benchmark (issue 10): one poller process against a simulated fleet in a CHILD process
// (`ispmonitor-sim`, so the simulator's CPU is not the poller's), at 1,000 / 3,000 / 10,000
// devices polled every 60 s, 1 % of them dead, 20 ms of latency on every reply.
//
// Per size, after one warm-up interval (first polls walk names and speeds too), over one
// measured interval:
//   on_time_share   polls that completed within their interval / polls due (live devices)
//   poller_cores    poller CPU-seconds per wall second
//   kb_per_device   poller RSS growth per device (heap_kb_per_device: live heap after a full GC)
//   live_p99_ms     p99 poll duration of live devices
// and, at the first size, dead devices must not slow live ones: live p99 with 10 % dead vs 0 %.
// Poll-to-stored-row p99 (at the largest size): the same scenario with the postgres plugin writing
// to a throw-away PostgreSQL 15 (Debian `postgresql`, started here as `nobody` on a free loopback
// port; or BENCH_DATABASE_URL), from the end of a probe device's poll until its row is readable.
//
// Worker threads: POLLER_WORKERS=N (or BENCH_FLEET_WORKERS) polls in N worker threads (poller.workers;
// CPU and RSS are the whole process's, every thread included).
// Issue 19: 30,000 devices with POLLER_WORKERS=2 — ≥ 99.5 % on time, ≤ 0.9 cores, ≤ 15 KB RSS per
// device, per-device cost flat or falling along 1k, 3k, 10k, 20k, 30k
// (BENCH_FLEET_SIZES=1000,3000,10000,20000,30000 BENCH_FLEET_PARTS=growth), and a projection to
// 100,000. With several sizes each runs in a fresh process (clean RSS). The simulator runs in
// child processes of at most BENCH_FLEET_SIM_CHUNK (10,000) devices — a socket each, and the
// open-files limit is 20,000 — with device i on 127.0.1.1 + i (BENCH_FLEET_ADDRESSING=addresses;
// `ports` puts them all on 127.0.0.1, whose ephemeral range holds only 28,232 ports).
// Sizes and interval: BENCH_FLEET_SIZES=1000,3000 BENCH_FLEET_INTERVAL_S=60; BENCH_QUICK=1 runs
// 200 and 500 devices every 15 s. Concurrency: BENCH_FLEET_CONCURRENCY (default 500).
// Parts: BENCH_FLEET_PARTS=growth,dead,stored (default: all three); BENCH_FLEET_PG_OPTIONS={json},
// BENCH_FLEET_SINKS={json} (core's sink settings), BENCH_FLEET_STORED_S (default 600) for storage.
// Memory (issue 19): per size, each thread's heap after its own full GC (`heaps`), RSS by kind, RSS
// mean and peak over the measured interval, GC pauses per thread (`gc_pauses`), CPU per poll done,
// CPU per thread (`thread_cores`: main, each worker, and `other` — V8's GC helper threads, libuv's pool);
// BENCH_FLEET_HEAP_SNAPSHOT=dir also writes heap snapshots of every thread and /proc/self/smaps.
// Node and V8 options given to this script reach every size's process (`node --heap-growing-percent=100
// bench/fleet.mjs`); environment such as MALLOC_ARENA_MAX too.
// Not a test: nothing asserts; it prints a table and, last, `BENCH_RESULT {json}`.
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { Session } from 'node:inspector';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createMonitor } from '@ispmonitor/core';
import { postgres } from '@ispmonitor/plugin-postgres';
import { snmp } from '@ispmonitor/plugin-snmp';
import pg from 'pg';
import { benchDatabase, PG_BIN } from './support/pg-server.mjs';
import { growthSvg } from './support/plot.mjs';
import { silent } from './support/silent.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const quick = !!process.env.BENCH_QUICK;
const sizes = (process.env.BENCH_FLEET_SIZES ?? (quick ? '200,500' : '1000,3000,10000'))
  .split(',')
  .map(Number);
const intervalS = Number(process.env.BENCH_FLEET_INTERVAL_S ?? (quick ? 15 : 60));
const concurrency = Number(process.env.BENCH_FLEET_CONCURRENCY ?? 500);
const workers = Number(process.env.POLLER_WORKERS ?? process.env.BENCH_FLEET_WORKERS ?? 1);
// Devices per simulator process (BENCH_FLEET_SIM_CHUNK): each is a socket, and the open-files
// limit of a process (20,000 here, not raisable without CAP_SYS_RESOURCE) caps one process.
const simChunk = Number(process.env.BENCH_FLEET_SIM_CHUNK ?? 10_000);
// `addresses`: device i on 127.0.1.1 + i, so 30,000 devices do not need 30,000 ephemeral ports on
// 127.0.0.1 (the range holds 28,232); `ports` (BENCH_FLEET_ADDRESSING=ports): all on 127.0.0.1.
const addressing = process.env.BENCH_FLEET_ADDRESSING ?? 'addresses';
// Extra options of the postgres plugin in the stored scenario, as JSON (BENCH_FLEET_PG_OPTIONS).
const pgOptions = JSON.parse(process.env.BENCH_FLEET_PG_OPTIONS ?? '{}');
// Core's sink settings in the stored scenario, as JSON (BENCH_FLEET_SINKS, e.g. {"batchSize":20000}).
const sinkOptions = JSON.parse(process.env.BENCH_FLEET_SINKS ?? '{}');
const parts = new Set((process.env.BENCH_FLEET_PARTS ?? 'growth,dead,stored').split(','));
// The stored scenario measures longer than one interval: a 5-minute rollup round and the facts
// refresh (every 5 minutes) must fall inside it, or its p99 depends on luck.
const storedS = Number(process.env.BENCH_FLEET_STORED_S ?? (quick ? 60 : 600));
// A full GC before each heap reading, without needing --expose-gc on the command line.
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc');

// 10,000 simulated devices are 10,000 sockets in the child; the poller opens one per poll in flight.
// We run as root, so raise our own open-files limit (children inherit it).
try {
  execFileSync('prlimit', ['--pid', String(process.pid), '--nofile=65536:65536']);
} catch {
  // In a container without CAP_SYS_RESOURCE this fails: then `ulimit -n` must already allow
  // about count + concurrency + 100 files (10,000 devices: 10,600).
  console.log(
    `prlimit failed: keeping the open-files limit (${execFileSync('sh', ['-c', 'ulimit -n']).toString().trim()})`,
  );
}

/** Starts one simulator CLI child for `count` devices and waits for its device list. */
async function startSimulator(count, deadRatio, latencyMs, shard) {
  const cli = join(root, 'packages/simulator/dist/cli.js');
  const args = ['--count', String(count), '--dead', String(deadRatio), '--latency', String(latencyMs)];
  args.push('--addressing', addressing, '--seed', String(shard + 1), '--quiet');
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  const stats = () =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send({ type: 'stats' });
    });
  const stop = () =>
    new Promise((resolve) => {
      child.once('exit', resolve);
      child.send({ type: 'close' });
    });
  // Shards number their devices alike: the shard's prefix keeps the ids apart.
  const devices = shard === 0 ? ready.devices : ready.devices.map((d) => ({ ...d, id: `s${shard}-${d.id}` }));
  return { devices, stats, stop };
}

/**
 * The simulated fleet: one simulator child per `simChunk` devices (each device holds a socket,
 * and a process may open only so many files: 20,000 here, without the right to raise it), its
 * figures summed over the children.
 */
async function startFleet(count, deadRatio, latencyMs) {
  const sims = [];
  try {
    for (let shard = 0; shard * simChunk < count; shard++) {
      const n = Math.min(simChunk, count - shard * simChunk);
      sims.push(await startSimulator(n, deadRatio, latencyMs, shard));
    }
  } catch (err) {
    await Promise.all(sims.map((s) => s.stop()));
    throw err;
  }
  const stats = async () => {
    const all = await Promise.all(sims.map((s) => s.stats()));
    return {
      cpu: { user: sum(all, (x) => x.cpu.user), system: sum(all, (x) => x.cpu.system) },
      stats: { varbinds: sum(all, (x) => x.stats.varbinds) },
      rss: sum(all, (x) => x.rss),
    };
  };
  return {
    devices: sims.flatMap((s) => s.devices),
    processes: sims.length,
    stats,
    stop: () => Promise.all(sims.map((s) => s.stop())),
  };
}

/**
 * An inspector link to one thread of this process: the main thread (`threadId` undefined) or a
 * poller worker (through the `NodeWorker` domain, so the worker needs no code of its own).
 */
async function threadLink(threadId) {
  const session = new Session();
  session.connect();
  const post = (method, params = {}) =>
    new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  const listeners = new Map();
  if (threadId === undefined) {
    return {
      call: post,
      on: (event, f) => session.on(event, (m) => f(m.params)),
      close: () => session.disconnect(),
    };
  }
  const pending = new Map();
  let nextId = 0;
  let sessionId;
  const attached = new Promise((resolve) =>
    session.on('NodeWorker.attachedToWorker', (m) => {
      if (m.params.workerInfo.workerId === String(threadId)) resolve(m.params.sessionId);
    }),
  );
  session.on('NodeWorker.receivedMessageFromWorker', (m) => {
    if (m.params.sessionId !== sessionId) return;
    const msg = JSON.parse(m.params.message);
    if (msg.id !== undefined) {
      pending.get(msg.id)?.(msg);
      pending.delete(msg.id);
    } else listeners.get(msg.method)?.(msg.params);
  });
  await post('NodeWorker.enable', { waitForDebuggerOnStart: false });
  sessionId = await attached;
  return {
    call: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = ++nextId;
        pending.set(id, (msg) => (msg.error ? reject(new Error(msg.error.message)) : resolve(msg.result)));
        post('NodeWorker.sendMessageToWorker', {
          sessionId,
          message: JSON.stringify({ id, method, params }),
        });
      }),
    on: (event, f) => listeners.set(event, f),
    close: () => session.disconnect(),
  };
}

/**
 * One thread's heap after a full GC (used, total, by space, MB), and with BENCH_FLEET_HEAP_SNAPSHOT=dir
 * a heap snapshot of it written to `dir/<size>-<thread>.heapsnapshot` (compare them by constructor
 * in DevTools' Memory panel).
 */
async function threadHeap(threadId, label, count) {
  const link = await threadLink(threadId);
  try {
    await link.call('HeapProfiler.collectGarbage');
    const expr = `JSON.stringify({ m: process.memoryUsage(), s: require('v8').getHeapSpaceStatistics() })`;
    const { result } = await link.call('Runtime.evaluate', {
      expression: expr,
      includeCommandLineAPI: true,
      returnByValue: true,
    });
    const { m, s } = JSON.parse(result.value);
    const mb = (x) => +(x / 2 ** 20).toFixed(1);
    const out = { heap_used_mb: mb(m.heapUsed), heap_total_mb: mb(m.heapTotal), external_mb: mb(m.external) };
    for (const sp of s)
      if (sp.space_size > 0) out[sp.space_name] = [mb(sp.space_used_size), mb(sp.space_size)];
    const dir = process.env.BENCH_FLEET_HEAP_SNAPSHOT;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      const fd = openSync(join(dir, `${count}-${label}.heapsnapshot`), 'w');
      link.on('HeapProfiler.addHeapSnapshotChunk', (p) => writeSync(fd, p.chunk));
      try {
        await link.call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      } finally {
        closeSync(fd);
      }
    }
    return out;
  } finally {
    link.close();
  }
}

/**
 * Evaluates `expression` in a thread (main: `threadId` undefined), with `require` at hand. Used to
 * count each thread's GC pauses while measuring (a `gc` PerformanceObserver in every isolate).
 */
async function evalIn(threadId, expression) {
  const link = await threadLink(threadId);
  try {
    const { result } = await link.call('Runtime.evaluate', {
      expression,
      includeCommandLineAPI: true,
      returnByValue: true,
    });
    return result.value;
  } finally {
    link.close();
  }
}

const GC_WATCH = `(() => {
  const { PerformanceObserver, constants } = require('node:perf_hooks');
  const g = (globalThis.__fleetGc ??= { major: 0, minor: 0, majorMs: 0, minorMs: 0 });
  Object.assign(g, { major: 0, minor: 0, majorMs: 0, minorMs: 0 });
  if (!g.observer) {
    g.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const major = e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
        g[major ? 'major' : 'minor']++;
        g[major ? 'majorMs' : 'minorMs'] += e.duration;
      }
    });
    g.observer.observe({ entryTypes: ['gc'] });
  }
  return true;
})()`;
const GC_READ = `JSON.stringify(globalThis.__fleetGc ?? {})`;
// The OS thread id of the thread it is evaluated in (from /proc/thread-self → "pid/task/tid").
const OS_TID = `require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()`;

/** CPU seconds (user + system) of every thread of this process, by OS thread id. */
function threadCpu() {
  const tick = 100; // USER_HZ on Linux
  const out = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(f[11]) + Number(f[12])) / tick);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

/** The process's resident memory by kind (kB → MB), from /proc: anonymous, file-backed, and the largest anonymous mappings. */
function rssBreakdown() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const field = (k) => +(Number(status.match(new RegExp(`${k}:\\s+(\\d+)`))?.[1] ?? 0) / 1024).toFixed(1);
  const threads = Number(status.match(/Threads:\s+(\d+)/)?.[1]);
  // The glibc heap of the main thread ([heap]) vs the other anonymous mappings (thread arenas, V8's pages).
  let brk = 0;
  let cur;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) cur = line.endsWith('[heap]');
    else if (cur && line.startsWith('Rss:')) brk += Number(line.split(/\s+/)[1]);
  }
  const dir = process.env.BENCH_FLEET_HEAP_SNAPSHOT;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `smaps-${process.pid}.txt`), readFileSync('/proc/self/smaps', 'utf8'));
  }
  return {
    rss_anon_mb: field('RssAnon'),
    rss_file_mb: field('RssFile'),
    rss_brk_heap_mb: +(brk / 1024).toFixed(1),
    threads,
  };
}

const sum = (xs, f) => xs.reduce((a, x) => a + f(x), 0);

const startPostgres = benchDatabase;

/**
 * Watches probe devices' `device_uptime_seconds` rows: the time from the end of a poll (its
 * `samples` event) until the row is readable, polled every 100 ms (so ±100 ms resolution).
 */
function rowWatcher(url, monitor, probes) {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const pending = new Map(); // `${device}|${ts}` → when the poll ended
  const latencies = [];
  const landed = []; // [when the row was seen, poll-to-row ms]: for the timeline
  let measuring = false;
  monitor.bus.on('samples', (e) => {
    if (!measuring || !probes.has(e.device.id)) return;
    const up = e.samples.find((x) => x.name === 'device_uptime_seconds');
    if (up) pending.set(`${e.device.id}|${up.ts}`, Date.now());
  });
  const sql = `SELECT r.device, (extract(epoch from s.ts) * 1000)::bigint AS ts
                 FROM ispm_samples s JOIN ispm_series r ON r.id = s.series_id
                WHERE r.name = 'device_uptime_seconds' AND r.device = ANY($1) AND s.ts >= to_timestamp($2 / 1000.0)`;
  let since = Date.now();
  let lastError;
  const timer = setInterval(async () => {
    if (pending.size === 0) return;
    try {
      const { rows } = await pool.query(sql, [[...probes], since - 120_000]);
      const now = Date.now();
      for (const row of rows) {
        const key = `${row.device}|${row.ts}`;
        const t = pending.get(key);
        if (t !== undefined) {
          latencies.push(now - t);
          landed.push([now, now - t]);
          pending.delete(key);
        }
      }
    } catch (err) {
      // The schema appears at start; until then there is nothing to find.
      lastError = err.message;
    }
  }, 100);
  return {
    start() {
      measuring = true;
      since = Date.now();
    },
    async stop() {
      measuring = false;
      // Give the last probes time to land before counting the ones that never did.
      await new Promise((r) => setTimeout(r, 5_000));
      clearInterval(timer);
      await pool.end();
      return { latencies, landed, missing: pending.size, lastError };
    },
  };
}

/**
 * Once a second while measuring: the sink's buffer and the statements running in the database
 * (by kind), so a slow row can be matched to what the database was doing at that moment.
 */
function dbTimeline(url, monitor) {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  // pg_stat_activity keeps the first 1 KB of a statement: classify by what appears early.
  const kind = (q) =>
    /^COPY/i.test(q)
      ? 'copy'
      : /lag\(value\)|INSERT INTO ispm_rollup_5m/.test(q)
        ? 'rollup5m'
        : /INSERT INTO ispm_rollup_1h/.test(q)
          ? 'rollup1h'
          : /ispm_(interfaces|neighbours|pppoe|dhcp|devices)/.test(q)
            ? 'facts'
            : /ispm_series/.test(q)
              ? 'series'
              : /^(autovacuum|vacuum|analyze)/i.test(q)
                ? 'vacuum'
                : 'other';
  const points = [];
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const f = await sinkFigures(monitor);
      const { rows } = await pool.query(
        `SELECT query, (extract(epoch FROM now() - query_start) * 1000)::int AS ms FROM pg_stat_activity
          WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type IN ('client backend', 'autovacuum worker')`,
      );
      const active = {};
      for (const r of rows) {
        const k = kind(r.query);
        active[k] = Math.max(active[k] ?? 0, r.ms);
      }
      points.push({ t: Date.now(), buffered: f.sink_buffered, written: f.sink_written, active });
    } catch {
      // A sample missed: the timeline has a gap.
    } finally {
      busy = false;
    }
  }, 1000);
  return {
    async stop() {
      clearInterval(timer);
      await pool.end();
      return points;
    },
  };
}

/** Per 10-second window: the slowest row seen, the largest sink buffer, what the database ran. */
function printTimeline(points, landed, t0) {
  const windows = new Map();
  const at = (t) => {
    const w = Math.floor((t - t0) / 10_000);
    if (!windows.has(w)) windows.set(w, { maxRowMs: 0, rows: 0, buffered: 0, active: {} });
    return windows.get(w);
  };
  for (const [t, ms] of landed) {
    const w = at(t);
    w.rows++;
    w.maxRowMs = Math.max(w.maxRowMs, ms);
  }
  for (const p of points) {
    const w = at(p.t);
    w.buffered = Math.max(w.buffered, p.buffered);
    for (const [k, ms] of Object.entries(p.active)) w.active[k] = Math.max(w.active[k] ?? 0, ms);
  }
  console.log(
    'timeline (10 s windows): s, rows seen, slowest row ms, sink buffer max, statements running (longest ms)',
  );
  for (const [w, x] of [...windows].sort((a, b) => a[0] - b[0])) {
    const act = Object.entries(x.active)
      .map(([k, ms]) => `${k}:${ms}`)
      .join(' ');
    console.log(
      `  ${String(w * 10).padStart(4)} ${String(x.rows).padStart(4)} ${String(x.maxRowMs).padStart(6)} ${String(x.buffered).padStart(8)}  ${act}`,
    );
  }
}

/** Bytes on disk (with indexes) and rows of the sample and rollup tables: for sizing a database. */
async function tableBytes(url) {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const out = {};
    for (const t of ['ispm_samples', 'ispm_rollup_5m']) {
      const { rows } = await client.query(
        `SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0)::float8 AS bytes
           FROM pg_inherits WHERE inhparent = $1::regclass`,
        [t],
      );
      const n = Number((await client.query(`SELECT count(*)::float8 AS n FROM ${t}`)).rows[0].n);
      out[`${t}_mb`] = Math.round(rows[0].bytes / 2 ** 20);
      out[`${t}_bytes_per_row`] = n ? Math.round(rows[0].bytes / n) : null;
    }
    return out;
  } finally {
    await client.end();
  }
}

/** The storage sink's own counters: what it wrote, dropped, failed, and still holds. */
async function sinkFigures(monitor) {
  const out = {};
  const names = {
    ispmonitor_samples_written_total: 'sink_written',
    ispmonitor_samples_dropped_total: 'sink_dropped',
    ispmonitor_sink_write_failures_total: 'sink_write_failures',
    ispmonitor_sink_buffer_samples: 'sink_buffered',
  };
  for (const metric of await monitor.metrics.getMetricsAsJSON()) {
    if (metric.name === 'ispmonitor_db_write_duration_seconds') {
      const sum = metric.values.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
      const count = metric.values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
      out.db_write_batches = count;
      out.db_write_ms_mean = count ? +((sum / count) * 1000).toFixed(1) : null;
    }
    const key = names[metric.name];
    if (key) out[key] = metric.values.reduce((sum, v) => sum + v.value, 0);
  }
  return out;
}

const p = (xs, q) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/** One scenario: `count` devices, `deadRatio` dead (and `dbUrl`: store samples); returns the figures. */
async function scenario(count, deadRatio, dbUrl) {
  const fleet = await startFleet(count, deadRatio, 20);
  const dead = new Set(fleet.devices.filter((d) => d.dead).map((d) => d.id));
  const devices = fleet.devices.map((d) => ({
    id: d.id,
    host: d.host,
    port: d.port,
    driver: 'snmp',
    interval: `${intervalS}s`,
    snmp: { version: '2c', community: d.community, timeout: '2s', retries: 1 },
  }));
  // With storage, the plugin's maintenance rounds are kept (when, how long, what they computed,
  // or why they failed).
  const rounds = [];
  const maintenanceLog = {
    ...silent,
    debug(msg, fields) {
      if (msg === 'database maintenance round') rounds.push({ end: Date.now(), ...fields });
    },
    // A failed round too (a statement cut off by a timeout, say), with its error.
    warn(msg, fields) {
      if (msg === 'database maintenance failed')
        rounds.push({ end: Date.now(), failed: fields?.error?.message ?? String(fields?.error) });
    },
    child: () => maintenanceLog,
  };
  gc();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  const monitor = await createMonitor({
    plugins: dbUrl ? [snmp(), postgres({ url: dbUrl, ...pgOptions })] : [snmp()],
    devices,
    logger: dbUrl ? maintenanceLog : silent,
    // With workers, `concurrency` is per worker: the same total in flight either way.
    poller: {
      interval: `${intervalS}s`,
      concurrency: Math.ceil(concurrency / workers),
      timeout: '10s',
      retries: 0,
      workers,
    },
    ...(dbUrl ? { sinks: sinkOptions } : {}),
  });
  let sinkError;
  monitor.bus.on('sink:error', (e) => {
    sinkError ??= `${e.error.code}: ${e.error.message}`.slice(0, 300);
  });
  let measuring = false;
  const live = [];
  let onTime = 0;
  let failures = 0;
  let varbindsOk = 0;
  // Polls that ended while measuring (any device, any outcome): CPU per poll done holds when a
  // loaded machine leaves polls unfinished, where CPU per device-poll assumes every one ran.
  let pollsDone = 0;
  monitor.bus.on('poll:success', (e) => {
    if (measuring) pollsDone++;
    if (!measuring || dead.has(e.device.id)) return;
    live.push(e.durationMs);
    if (e.durationMs < intervalS * 1000) onTime++;
    varbindsOk += e.result.samples.length;
  });
  monitor.bus.on('poll:failure', (e) => {
    if (measuring) pollsDone++;
    if (measuring && !dead.has(e.device.id)) failures++;
  });
  let skipped = 0;
  monitor.bus.on('poll:skipped', () => {
    if (measuring) skipped++;
  });
  const probes = new Set(
    fleet.devices
      .filter((d) => !d.dead)
      .slice(0, 50)
      .map((d) => d.id),
  );
  const watcher = dbUrl ? rowWatcher(dbUrl, monitor, probes) : null;
  const measureS = dbUrl ? storedS : intervalS;
  let timeline;
  await monitor.start();
  // Warm-up: every device polled once (names, speeds, profiles cached).
  await new Promise((r) => setTimeout(r, intervalS * 1000));
  // With storage, the first polls create every series (about 320 per router); measure the steady
  // state once the sink has caught up — its buffer under 50,000 samples for a whole interval (the
  // series of samples dropped meanwhile are created on their next poll) — and report how long
  // catching up took and what it dropped.
  let firstStart;
  if (dbUrl) {
    const t = performance.now();
    let lastBehind = t;
    while (performance.now() - lastBehind < intervalS * 1000 && performance.now() - t < 900_000) {
      if ((await sinkFigures(monitor)).sink_buffered > 50_000) lastBehind = performance.now();
      await new Promise((r) => setTimeout(r, 1000));
    }
    const f = await sinkFigures(monitor);
    firstStart = {
      // From the start until the sink was last behind.
      first_start_catch_up_s: +((lastBehind - t) / 1000 + intervalS).toFixed(1),
      first_start_dropped: f.sink_dropped,
    };
  }
  measuring = true;
  watcher?.start();
  if (dbUrl) timeline = dbTimeline(dbUrl, monitor);
  const cpu0 = process.cpuUsage();
  // RSS once a second while measuring: its mean and peak say more than one reading at the end,
  // which lands wherever each isolate's garbage collector happens to be.
  const rssSeen = [];
  const rssTimer = setInterval(() => rssSeen.push(process.memoryUsage.rss()), 1000);
  // GC pauses per thread while measuring (the time each isolate's own thread stood still for it).
  const threads = [undefined, ...monitor.workerThreads()];
  await Promise.all(threads.map((id) => evalIn(id, GC_WATCH)));
  // CPU per thread: the main thread, each worker's own thread, and the rest (V8's helper threads,
  // which run the parallel and concurrent parts of garbage collection, and libuv's pool).
  const tids = await Promise.all(threads.map((id) => evalIn(id, OS_TID)));
  const tcpu0 = threadCpu();
  const sim0 = await fleet.stats();
  const t0 = performance.now();
  const wall0 = Date.now();
  await new Promise((r) => setTimeout(r, measureS * 1000));
  measuring = false;
  clearInterval(rssTimer);
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const tcpu1 = threadCpu();
  const threadCores = { other: 0 };
  for (const [tid, s1] of tcpu1) {
    const i = tids.indexOf(tid);
    const key = i < 0 ? 'other' : i === 0 ? 'main' : `worker${i - 1}`;
    threadCores[key] = (threadCores[key] ?? 0) + (s1 - (tcpu0.get(tid) ?? 0)) / wallS;
  }
  for (const k of Object.keys(threadCores)) threadCores[k] = +threadCores[k].toFixed(3);
  const gcPauses = {};
  for (const [i, id] of threads.entries()) {
    const g = JSON.parse(await evalIn(id, GC_READ));
    gcPauses[i === 0 ? 'main' : `worker${i - 1}`] = {
      major: g.major,
      major_ms: Math.round(g.majorMs),
      minor: g.minor,
      minor_ms: Math.round(g.minorMs),
    };
  }
  const sim1 = await fleet.stats();
  gc();
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  const rssKinds = rssBreakdown();
  // Each thread's heap (after its own full GC), read after the process's RSS: a snapshot grows it.
  const heaps = { main: await threadHeap(undefined, 'main', count) };
  for (const [i, id] of monitor.workerThreads().entries())
    heaps[`worker${i}`] = await threadHeap(id, `worker${i}`, count);
  const sink = dbUrl ? await sinkFigures(monitor) : undefined;
  const rows = await watcher?.stop();
  const disk = dbUrl ? await tableBytes(dbUrl) : undefined;
  const points = await timeline?.stop();
  if (points) {
    printTimeline(points, rows.landed, wall0);
    console.log('maintenance rounds (s from the start of measuring, at their end):');
    for (const r of rounds)
      console.log(`  ${Math.round((r.end - wall0) / 1000)} ${JSON.stringify({ ...r, end: undefined })}`);
    mkdirSync(join(root, '.cache/bench'), { recursive: true });
    writeFileSync(
      join(root, '.cache/bench/fleet-stored-timeline.json'),
      `${JSON.stringify({ t0: wall0, points, landed: rows.landed, rounds })}\n`,
    );
  }
  await monitor.stop();
  await fleet.stop();
  // Polls due while measuring: every live device once per interval.
  const due = (count - dead.size) * Math.max(1, Math.round(measureS / intervalS));
  const simCpuS = (sim1.cpu.user + sim1.cpu.system - sim0.cpu.user - sim0.cpu.system) / 1e6;
  const r = {
    devices: count,
    workers,
    measured_s: measureS,
    dead: dead.size,
    on_time_share: +Math.min(1, onTime / due).toFixed(4),
    live_failures: failures,
    skipped_polls: skipped,
    poller_cores: +((cpu.user + cpu.system) / 1e6 / wallS).toFixed(3),
    kb_per_device: +((rss - rss0) / 1024 / count).toFixed(1),
    // The whole process (Node itself, the workers' isolates) over the devices: an upper bound.
    rss_kb_per_device_total: +(rss / 1024 / count).toFixed(1),
    // Poller CPU per device and poll: flat or falling with size when the poller scales.
    cpu_ms_per_device_poll: +(((cpu.user + cpu.system) / 1e3 / count) * (intervalS / wallS)).toFixed(3),
    cpu_ms_per_poll_done: +((cpu.user + cpu.system) / 1e3 / Math.max(1, pollsDone)).toFixed(3),
    heap_kb_per_device: +((heapUsed - heap0) / 1024 / count).toFixed(1),
    // Where RSS beyond the live heap goes: heap reserved but free, and memory outside the heap.
    heap_total_mb: Math.round(heapTotal / 2 ** 20),
    external_mb: Math.round(external / 2 ** 20),
    rss_mb: Math.round(rss / 2 ** 20),
    rss_mean_kb_per_device: +((sum(rssSeen, (x) => x) / rssSeen.length - rss0) / 1024 / count).toFixed(1),
    rss_peak_kb_per_device: +((Math.max(...rssSeen) - rss0) / 1024 / count).toFixed(1),
    ...rssKinds,
    heaps,
    gc_pauses: gcPauses,
    thread_cores: threadCores,
    live_p50_ms: +p(live, 0.5).toFixed(1),
    live_p99_ms: +p(live, 0.99).toFixed(1),
    samples_per_s: Math.round(varbindsOk / wallS),
    simulator_cores: +(simCpuS / wallS).toFixed(3),
    simulator_processes: fleet.processes,
    addressing,
    simulator_varbinds: sim1.stats.varbinds - sim0.stats.varbinds,
    // Other work on the machine starves both processes: read figures with this in mind.
    loadavg_1m: +loadavg()[0].toFixed(2),
    ...(rows
      ? {
          poll_to_row_p50_ms: p(rows.latencies, 0.5),
          poll_to_row_p99_ms: p(rows.latencies, 0.99),
          probe_rows_missing: rows.missing,
          ...firstStart,
          ...sink,
          ...disk,
          dropped_while_measured: (sink?.sink_dropped ?? 0) - (firstStart?.first_start_dropped ?? 0),
          ...(sinkError ? { first_sink_error: sinkError } : {}),
          ...(rows.lastError ? { probe_query_error: rows.lastError } : {}),
        }
      : {}),
  };
  console.log(JSON.stringify(r));
  return r;
}

/**
 * Every scenario's row to .cache/bench/fleet.json, and the growth curve (two or more sizes) to
 * .cache/bench/fleet-growth.svg (docs/img/fleet-growth.svg is a copy of one run's).
 */
function writeGrowth(rows, storedRow) {
  const dir = join(root, '.cache/bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'fleet.json'),
    `${JSON.stringify({ at: new Date().toISOString(), rows, stored: storedRow }, null, 2)}\n`,
  );
  if (rows.length < 2) return;
  const pts = (f) => rows.map((r) => ({ x: r.devices, y: f(r) }));
  // The goal lines of the largest size: issue 19's at 30,000 and above, else issue 10's.
  const largest = Math.max(...rows.map((r) => r.devices));
  const goals = largest >= 30_000 ? { cores: 0.9, kb: 15 } : { cores: 1, kb: 40 };
  const svg = growthSvg(
    [
      { title: 'poller CPU', unit: 'cores', points: pts((r) => r.poller_cores), goal: goals.cores },
      {
        title: 'poller memory per device',
        unit: 'KB RSS',
        points: pts((r) => r.kb_per_device),
        goal: goals.kb,
      },
      {
        title: 'polls on time',
        unit: '%',
        points: pts((r) => r.on_time_share * 100),
        goal: 99.5,
        yMin: 90,
        yMax: 100,
      },
      { title: 'live poll p99', unit: 'ms', points: pts((r) => r.live_p99_ms) },
    ],
    `node bench/fleet.mjs, ${new Date().toISOString().slice(0, 16)} UTC, 1 % dead, 20 ms latency, every ${intervalS} s, load ${loadavg()[0].toFixed(1)}`,
  );
  writeFileSync(join(dir, 'fleet-growth.svg'), svg);
  console.log(`growth curve: ${join(dir, 'fleet-growth.svg')}`);
}

if (!existsSync(join(root, 'packages/simulator/dist/cli.js'))) throw new Error('build first: npm run build');
console.log(
  `fleet benchmark: sizes ${sizes.join(', ')}, interval ${intervalS} s, concurrency ${concurrency}, workers ${workers}`,
);
/**
 * One growth size in a process of its own, so that its RSS is not measured on top of what the
 * previous size left behind (V8 reuses the heap it grew, and the growth would look smaller).
 */
async function scenarioInChild(n) {
  // With this process's node options (`node --heap-growing-percent=… bench/fleet.mjs` applies to every size).
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: {
      ...process.env,
      BENCH_FLEET_SIZES: String(n),
      BENCH_FLEET_PARTS: 'growth',
      BENCH_FLEET_CHILD: '1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let row;
  let buf = '';
  child.stdout.on('data', (chunk) => {
    buf += chunk;
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('FLEET_ROW ')) row = JSON.parse(line.slice('FLEET_ROW '.length));
      else if (!line.startsWith('BENCH_RESULT ')) console.log(line);
    }
  });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (!row) throw new Error(`fleet size ${n}: the child exited with ${code} without its figures`);
  return row;
}

if (process.env.BENCH_FLEET_CHILD) {
  console.log(`FLEET_ROW ${JSON.stringify(await scenario(sizes[0], 0.01))}`);
  process.exit(0);
}
const runs = [];
if (parts.has('growth')) {
  for (const n of sizes) runs.push(sizes.length > 1 ? await scenarioInChild(n) : await scenario(n, 0.01));
}
let clean;
let tenPct;
if (parts.has('dead')) {
  console.log('dead devices must not slow live ones:');
  clean = await scenario(sizes[0], 0);
  tenPct = await scenario(sizes[0], 0.1);
}
const storedSize = sizes[sizes.length - 1];
let stored;
const db = parts.has('stored') ? await startPostgres() : undefined;
if (db) {
  console.log(`poll to stored row (postgres plugin), ${storedSize} devices:`);
  try {
    stored = await scenario(storedSize, 0.01, db.url);
  } finally {
    await db.stop();
  }
} else if (parts.has('stored'))
  console.log(
    `poll to stored row: skipped, ${PG_BIN}/initdb not found (Debian postgresql) and no BENCH_DATABASE_URL`,
  );

const figures = {};
for (const r of runs) {
  for (const k of [
    'on_time_share',
    'poller_cores',
    'kb_per_device',
    'heap_kb_per_device',
    'live_p99_ms',
    'simulator_cores',
    'rss_kb_per_device_total',
    'cpu_ms_per_device_poll',
  ]) {
    figures[`${k}_${r.devices}`] = r[k];
  }
}
const ratios = {};
const goals = {};
if (clean && tenPct) {
  figures.live_p99_ms_0pct_dead = clean.live_p99_ms;
  figures.live_p99_ms_10pct_dead = tenPct.live_p99_ms;
  ratios.dead10_vs_dead0_live_p99 = +(tenPct.live_p99_ms / clean.live_p99_ms).toFixed(2);
  goals.dead10_vs_dead0_live_p99 = '<= 1.1';
}
if (stored) {
  figures[`poll_to_row_p99_ms_${stored.devices}`] = stored.poll_to_row_p99_ms;
  figures[`on_time_share_${stored.devices}_with_postgres`] = stored.on_time_share;
  figures[`poller_cores_${stored.devices}_with_postgres`] = stored.poller_cores;
}
for (const r of runs) {
  // Issue 10's goals up to 10,000 devices; issue 19's at 30,000 (with POLLER_WORKERS=2).
  const big = r.devices >= 30_000;
  goals[`on_time_share_${r.devices}`] = '>= 0.995';
  goals[`poller_cores_${r.devices}`] = big ? '<= 0.9' : '<= 1';
  goals[`kb_per_device_${r.devices}`] = big ? '<= 15' : '<= 40';
}
const reference = { what: 'no external reference: goals from issues 10 (up to 10,000) and 19 (30,000)' };
if (runs.length >= 2) {
  // Flat or falling: no size costs more per device than the size before it (10 % for noise).
  const steps = (f) => Math.max(...runs.slice(1).map((r, i) => f(r) / f(runs[i])));
  ratios.cpu_per_device_poll_max_step = +steps((r) => r.cpu_ms_per_device_poll).toFixed(2);
  ratios.kb_per_device_max_step = +steps((r) => r.kb_per_device).toFixed(2);
  goals.cpu_per_device_poll_max_step = '<= 1.1';
  goals.kb_per_device_max_step = '<= 1.1';
  // 100,000 devices, from the marginal cost between the two largest sizes (same interval).
  const [a, b] = runs.slice(-2);
  const project = (f) => f(b) + ((f(b) - f(a)) / (b.devices - a.devices)) * (100_000 - b.devices);
  figures.projected_poller_cores_100k = +project((r) => r.poller_cores).toFixed(2);
  figures.projected_rss_mb_100k = Math.round(project((r) => r.rss_mb));
  figures.projected_simulator_cores_100k = +project((r) => r.simulator_cores).toFixed(2);
  reference.projection = `100,000 devices every ${intervalS} s: the largest size plus the marginal cost per device between ${a.devices} and ${b.devices} devices, with ${workers} worker(s)`;
}
writeGrowth(runs, stored);
if (stored) goals[`poll_to_row_p99_ms_${stored.devices}`] = '<= 5000';
else reference.poll_to_row_p99 = 'not measured (no PostgreSQL)';
console.log(`BENCH_RESULT ${JSON.stringify({ name: 'fleet', figures, reference, ratios, goals })}`);
process.exit(0);
