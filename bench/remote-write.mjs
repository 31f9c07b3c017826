// Remote write: client CPU per sample and bytes on the wire per sample, at a steady fleet rate.
//
//   npx tsc -b packages/plugin-remote-write packages/plugin-postgres && node bench/remote-write.mjs
//     [--routers N] [--seconds S] [--receivers null,victoria-metrics,prometheus,postgres]
//
// A fleet of N routers polled every 60 s, 321 samples a poll (24 interfaces × 13 series + 9 device
// series: 53,500 samples/s at 10,000 routers), spread evenly over the minute. Samples go through
// the plugin's sink in batches of up to 5,000, one write at a time (as core's sink runner hands
// them over), to each receiver in turn:
// - `null`: a separate Node process that reads each request and answers 204 (nothing but the client
//   is measured in this process);
// - `victoria-metrics` and `prometheus` (Debian packages) when installed, started on loopback in a
//   temp folder; their own CPU per sample is read from /proc. Prometheus' own ingestion rate
//   (`prometheus_tsdb_head_samples_appended_total` over the paced phase) is printed beside it;
// - `postgres`: the same samples through @ispmonitor/plugin-postgres' sink instead, into a
//   PostgreSQL 15 started on loopback (bench/support/pg-server.mjs, fsync off; maintenance off:
//   its rounds are the storage benchmark's), side by side with remote write; its CPU is the
//   postmaster's and its backends'. Bytes on disk: the plugin's tables and indexes (rows as
//   written, before chunk compaction) over the samples stored.
// Client CPU per sample = (this process's CPU while sending − its CPU producing the same samples
// without sending − the monitor's idle CPU over as long, measured for 3 s with nothing to write:
// a started monitor's timers and PostgreSQL's pool) / samples accepted. Bytes per sample = request bytes after snappy / samples.
// Receiver bytes on disk per sample: its data folder at the end over every sample it took (short runs
// overstate it: fixed files, and Prometheus holds recent samples in its WAL, not compacted blocks).
// Before the paced phase each run sends one poll of the whole fleet, unmeasured, so the sink's
// series cache is warm as after a server's first minute (`--cold` skips it). Also printed: the
// same 5,000-sample writes back to back with sample creation, and alone (samples built before).
// Defaults are small (1,000 routers, 20 s per receiver) for a shared machine; the full size is
// `--routers 10000 --seconds 60`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMonitor, tokens } from '@ispmonitor/core';
import { postgres } from '@ispmonitor/plugin-postgres';
import { remoteWrite } from '@ispmonitor/plugin-remote-write';
import { PG_BIN, startPgServer } from './support/pg-server.mjs';
import { procCpu, treeCpu } from './support/proc-cpu.mjs';
import { silent } from './support/silent.mjs';

const quick = process.env.BENCH_QUICK === '1';
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUTERS = arg('routers', quick ? 200 : 1000);
const SECONDS = arg('seconds', quick ? 8 : 20);
// Without --cold, each run first sends one poll of the whole fleet, unmeasured: the sink's series
// cache then holds every series, as a server's does after its first minute (a fleet's series recur
// every poll). With --cold the paced figure is the first minute's, every series new.
const COLD = process.argv.includes('--cold');
const WARMUP_MS = 2000;
const IDLE_MS = 3000;
const TICK_MS = 100;
const BATCH = 5000;
const PER_POLL = 321;
const rate = (ROUTERS * PER_POLL) / 60;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
/** Bytes of the files under a folder. */
const folderBytes = (dir) =>
  readdirSync(dir, { recursive: true })
    .map((f) => statSync(join(dir, String(f))))
    .filter((st) => st.isFile())
    .reduce((sum, st) => sum + st.size, 0);

// One poll's series of a router: names and labels built once, values and timestamps per poll.
const COUNTERS = [
  'in_octets',
  'out_octets',
  'in_packets',
  'out_packets',
  'in_errors',
  'out_errors',
  'in_discards',
  'out_discards',
];
const GAUGES = ['oper_up', 'admin_up', 'speed_bps', 'in_utilisation_ratio', 'out_utilisation_ratio'];
function routerSeries(r) {
  const device = `bench-r${r}`;
  const out = [];
  for (let i = 0; i < 24; i++) {
    const labels = { device, ifName: `ether${i + 1}`, site: `S${r % 50}` };
    for (const c of COUNTERS) out.push({ name: `interface_${c}_total`, labels, counter: true });
    for (const g of GAUGES) out.push({ name: `interface_${g}`, labels, counter: false });
  }
  const labels = { device, site: `S${r % 50}` };
  for (const n of [
    'device_up',
    'device_uptime_seconds',
    'device_cpu_load_ratio',
    'device_memory_used_bytes',
    'device_memory_total_bytes',
    'pppoe_sessions_active',
    'dhcp_leases_active',
    'wireless_clients',
    'device_temperature_celsius',
  ]) {
    out.push({ name: n, labels, counter: false });
  }
  return out;
}
const fleet = Array.from({ length: ROUTERS }, (_, r) => routerSeries(r));

/** Produces the fleet's polls in real time for `ms`; `consume` takes each poll's samples. */
async function produce(ms, consume) {
  const start = Date.now();
  let due = 0;
  let next = 0;
  let round = 0;
  while (Date.now() - start < ms) {
    due += (ROUTERS * TICK_MS) / 60_000;
    while (due >= 1) {
      due -= 1;
      const series = fleet[next];
      const ts = Date.now();
      const samples = series.map((s, k) =>
        s.counter
          ? { name: s.name, labels: s.labels, value: 1e9 + round * 7_500_000 + k, ts }
          : { name: s.name, labels: s.labels, value: (k % 7) * 0.5 + round, ts },
      );
      consume(samples);
      next = (next + 1) % ROUTERS;
      if (next === 0) round++;
    }
    await sleep(TICK_MS - ((Date.now() - start) % TICK_MS));
  }
}

/** A remote-write receiver's plugin and sink. */
const viaRemoteWrite = (url) => ({
  plugin: () => remoteWrite({ targets: [{ url }] }),
  sink: (sinks) => sinks.find((s) => s.name.startsWith('remote-write:')),
});

async function nullReceiver() {
  const port = await freePort();
  const code = `require('http').createServer((q,s)=>{q.resume();q.on('end',()=>s.writeHead(204).end())}).listen(${port},'127.0.0.1',()=>console.log('up'))`;
  const proc = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => proc.stdout.once('data', r));
  return {
    name: 'null',
    ...viaRemoteWrite(`http://127.0.0.1:${port}/api/v1/write`),
    cpu: () => procCpu(proc.pid),
    stop: async () => proc.kill(),
  };
}

/** PostgreSQL 15 on loopback, written through plugin-postgres' sink. */
async function postgresReceiver() {
  if (!existsSync(join(PG_BIN, 'initdb'))) return undefined;
  const server = await startPgServer();
  const url = await server.createDatabase('bench_rw');
  const postmaster = Number(readFileSync(join(server.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    name: 'postgres',
    // No maintenance round (compaction, rollups) during the run: the storage benchmark measures those.
    plugin: () => postgres({ url, maintenance: { interval: '1d' } }),
    sink: (sinks) => sinks.find((s) => s.name === 'postgres'),
    start: true,
    cpu: () => treeCpu(postmaster),
    // The plugin's tables with their indexes and TOAST, as written (before chunk compaction).
    diskBytes: async () => {
      const sql =
        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')";
      return Number((await server.psql('bench_rw', ['-At', '-c', sql])).stdout.trim());
    },
    stop: () => server.stop(),
  };
}

async function binaryReceiver(name, bin, args, ready, prepare) {
  if (!existsSync(bin)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'ispm-bench-rw-'));
  prepare?.(dir);
  const port = await freePort();
  const proc = spawn(bin, args(port, dir), { stdio: 'ignore' });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}${ready}`)).ok) break;
    } catch {}
    await sleep(100);
  }
  return {
    name,
    ...viaRemoteWrite(`http://127.0.0.1:${port}/api/v1/write`),
    cpu: () => procCpu(proc.pid),
    // Prometheus' own count of samples appended to its head (float and histogram).
    appended:
      name === 'prometheus'
        ? async () => {
            const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
            return text
              .split('\n')
              .filter((l) => l.startsWith('prometheus_tsdb_head_samples_appended_total'))
              .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
          }
        : undefined,
    // What the receiver keeps on disk (VictoriaMetrics flushed first; Prometheus: its WAL and head).
    diskBytes: async () => {
      if (name === 'victoria-metrics')
        await fetch(`http://127.0.0.1:${port}/internal/force_flush`).catch(() => {});
      return folderBytes(join(dir, 'data'));
    },
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function metric(registry, name) {
  const m = registry.getSingleMetric(name);
  return m ? (await m.get()).values.reduce((s, v) => s + v.value, 0) : 0;
}

/** Sends the fleet to one receiver for SECONDS; CPU measured after the warm-up. */
async function run(rx) {
  const monitor = await createMonitor({ plugins: [rx.plugin()], logger: silent });
  // PostgreSQL's schema is made at start; remote write needs no start.
  if (rx.start) await monitor.start();
  const sink = rx.sink(monitor.resolveAll(tokens.Sink));
  // Samples of the writes that resolved: what every sink took (remote write's own counter, the
  // samples it sent, also leaves out the ones a receiver refused).
  let written = 0;
  const queue = [];
  let writing = false;
  let lastWrite = Date.now();
  const pump = async () => {
    if (writing) return;
    writing = true;
    while (queue.length >= BATCH || (queue.length > 0 && Date.now() - lastWrite > 1000)) {
      const batch = queue.splice(0, BATCH);
      await sink.write(batch);
      written += batch.length;
      lastWrite = Date.now();
    }
    writing = false;
  };
  const consume = (samples) => {
    for (const s of samples) queue.push(s);
    void pump();
  };
  // What the monitor costs with nothing to write (a started monitor's timers, PostgreSQL's pool):
  // taken out of the paced figure, so it is the sink's own cost whatever the plugin runs besides.
  // Measured before anything is written: later, collecting the warm-up poll's garbage would count.
  // Only for a started monitor: remote write starts nothing, and 3 s right after the previous
  // receiver's run measure collecting that run's garbage (a negative paced figure once).
  const idle0 = process.cpuUsage();
  const idleT0 = performance.now();
  if (rx.start) await sleep(IDLE_MS);
  const idleCpu = process.cpuUsage(idle0);
  const idleUsPerS = rx.start ? ((idleCpu.user + idleCpu.system) * 1000) / (performance.now() - idleT0) : 0;
  if (!COLD) {
    // The previous poll of every router, a minute ago (so the paced samples come after it).
    const ts = Date.now() - 60_000;
    const all = fleet.flat();
    for (let i = 0; i < all.length; i += BATCH) {
      await sink.write(
        all.slice(i, i + BATCH).map((s, k) => ({ name: s.name, labels: s.labels, value: k, ts })),
      );
    }
  }
  await produce(WARMUP_MS, consume);
  const sent0 = written;
  const bytes0 = await metric(monitor.metrics, 'ispmonitor_remote_write_bytes_total');
  const appended0 = await rx.appended?.();
  const rxCpu0 = rx.cpu();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await produce(SECONDS * 1000, consume);
  const cpu = process.cpuUsage(cpu0);
  const idleS = (idleUsPerS * (performance.now() - t0)) / 1e9;
  // A write still in flight (a receiver slower than the fleet) finishes before the burst and the
  // close: closing under it would make it throw.
  while (writing) await sleep(20);
  const wall = (performance.now() - t0) / 1000;
  const rxCpu = rx.cpu() - rxCpu0;
  const sent = written - sent0;
  const appended = appended0 === undefined ? undefined : (await rx.appended()) - appended0;
  const bytes = (await metric(monitor.metrics, 'ispmonitor_remote_write_bytes_total')) - bytes0;
  const failed =
    (await metric(monitor.metrics, 'ispmonitor_remote_write_samples_failed_total')) +
    (await metric(monitor.metrics, 'ispmonitor_db_samples_rejected_total'));
  // Back to back: the per-sample cost once fixed costs (timers, a write a second) are amortised,
  // as they are at the full fleet rate. Batches of 5,000 from the fleet's series, fresh timestamps.
  const batch = fleet.flat().slice(0, BATCH);
  const writes = quick ? 40 : 200;
  // Each write its own timestamp, later than the last: receivers refuse a series' second sample
  // at one timestamp, or an older one.
  let last = Date.now();
  const make = (i) => {
    last = Math.max(last + 1, Date.now());
    const ts = last;
    return batch.map((s, k) => ({ name: s.name, labels: s.labels, value: i * 1000 + k, ts }));
  };
  for (let i = 0; i < 20; i++) await sink.write(make(i));
  const burstCpu0 = process.cpuUsage();
  for (let i = 0; i < writes; i++) await sink.write(make(i));
  const burstCpu = process.cpuUsage(burstCpu0);
  const burstUs = (burstCpu.user + burstCpu.system) / (writes * BATCH);
  // The same writes with the samples built beforehand: the sink's own cost per sample.
  const built = Array.from({ length: writes }, (_, i) => make(writes + i));
  const isoCpu0 = process.cpuUsage();
  for (const b of built) await sink.write(b);
  const isoCpu = process.cpuUsage(isoCpu0);
  const isolatedUs = (isoCpu.user + isoCpu.system) / (writes * BATCH);
  const total = written + (COLD ? 0 : fleet.length * PER_POLL) + (20 + 2 * writes) * BATCH;
  await sink.close?.();
  await monitor.stop();
  const disk = rx.diskBytes ? await rx.diskBytes() : undefined;
  return {
    diskBytesPerSample: disk === undefined ? undefined : disk / total,
    cpuS: (cpu.user + cpu.system) / 1e6 - idleS,
    idleUsPerS,
    wall,
    sent,
    bytes,
    failed,
    rxCpuS: rxCpu,
    appended,
    backlog: queue.length,
    burstUs,
    isolatedUs,
  };
}

// What producing the samples costs without sending them, to take out of the client figure.
const base0 = process.cpuUsage();
let produced = 0;
// At most a minute of it: a per-sample figure, the same over a longer run.
await produce(Math.min(SECONDS, 60) * 1000, (s) => {
  produced += s.length;
});
const baseCpu = process.cpuUsage(base0);
const produceUsPerSample = ((baseCpu.user + baseCpu.system) / produced) * 1;

const figures = {
  routers: ROUTERS,
  offeredSamplesPerS: Math.round(rate),
  produceUsPerSample: +produceUsPerSample.toFixed(3),
};
const RECEIVER_NAMES = ['null', 'victoria-metrics', 'prometheus', 'postgres'];
const receivers = [
  nullReceiver,
  () =>
    binaryReceiver(
      'victoria-metrics',
      '/usr/bin/victoria-metrics',
      (port, dir) => [
        `-storageDataPath=${join(dir, 'data')}`,
        `-httpListenAddr=127.0.0.1:${port}`,
        '-loggerLevel=ERROR',
      ],
      '/health',
    ),
  () =>
    binaryReceiver(
      'prometheus',
      '/usr/bin/prometheus',
      (port, dir) => [
        `--config.file=${join(dir, 'p.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-remote-write-receiver',
        '--log.level=error',
      ],
      '/-/ready',
      (dir) => writeFileSync(join(dir, 'p.yml'), 'global:\n  scrape_interval: 1m\n'),
    ),
  postgresReceiver,
];
// `--receivers victoria-metrics,prometheus`: only those (e.g. a long run for bytes on disk).
const only = process.argv.includes('--receivers')
  ? process.argv[process.argv.indexOf('--receivers') + 1].split(',')
  : undefined;
for (const [i, make] of receivers.entries()) {
  if (only && !only.includes(RECEIVER_NAMES[i])) continue;
  const rx = await make();
  if (!rx) continue;
  try {
    const r = await run(rx);
    const key = rx.name.replace(/-/g, '_');
    const clientUs = (r.cpuS * 1e6) / r.sent - produceUsPerSample;
    figures[`${key}_samplesPerS`] = Math.round(r.sent / r.wall);
    figures[`${key}_clientCpuUsPerSample`] = +clientUs.toFixed(3);
    figures[`${key}_idleCpuMsPerS`] = +(r.idleUsPerS / 1000).toFixed(2);
    if (r.bytes > 0) figures[`${key}_bytesPerSample`] = +(r.bytes / r.sent).toFixed(2);
    if (r.appended !== undefined) figures[`${key}_ingestedSamplesPerS`] = Math.round(r.appended / r.wall);
    figures[`${key}_receiverCpuUsPerSample`] = +((r.rxCpuS * 1e6) / r.sent).toFixed(3);
    figures[`${key}_burstClientCpuUsPerSample`] = +r.burstUs.toFixed(3);
    figures[`${key}_isolatedWriteCpuUsPerSample`] = +r.isolatedUs.toFixed(3);
    if (r.diskBytesPerSample !== undefined)
      figures[`${key}_diskBytesPerSample`] = +r.diskBytesPerSample.toFixed(2);
    figures[`${key}_failed`] = r.failed;
    figures[`${key}_backlogAtEnd`] = r.backlog;
    console.log(
      `${rx.name}: ${figures[`${key}_samplesPerS`]} samples/s sent, client ${clientUs.toFixed(3)} µs CPU/sample, ` +
        (r.bytes > 0 ? `${figures[`${key}_bytesPerSample`]} B/sample on the wire, ` : '') +
        `receiver ${figures[`${key}_receiverCpuUsPerSample`]} µs CPU/sample` +
        (r.appended === undefined
          ? '; '
          : ` (its own count: ${figures[`${key}_ingestedSamplesPerS`]} samples/s appended); `) +
        `back to back ${figures[`${key}_burstClientCpuUsPerSample`]} µs CPU/sample (sample creation included), ` +
        `writes alone ${figures[`${key}_isolatedWriteCpuUsPerSample`]} µs CPU/sample` +
        (r.diskBytesPerSample === undefined
          ? ''
          : `; ${figures[`${key}_diskBytesPerSample`]} B/sample on disk`),
    );
  } finally {
    await rx.stop();
  }
}
// Remote write beside the PostgreSQL sink, same samples, same run: the client's CPU per sample.
for (const kind of ['clientCpuUsPerSample', 'isolatedWriteCpuUsPerSample']) {
  const pg = figures[`postgres_${kind}`];
  if (pg > 0 && figures[`null_${kind}`] !== undefined)
    figures[`null_over_postgres_${kind}`] = +(figures[`null_${kind}`] / pg).toFixed(3);
}
console.log(
  `BENCH_RESULT ${JSON.stringify({ name: 'remote-write', figures, goals: { null_clientCpuUsPerSample: '<= 1', null_burstClientCpuUsPerSample: '<= 1', null_isolatedWriteCpuUsPerSample: '<= 1' } })}`,
);
