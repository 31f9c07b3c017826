// Server benchmark (issue 7). Not a test: it prints figures and whether the goals are met.
//   node bench/server.mjs        (BENCH_QUICK=1: 1,000 devices)
// Setup: the assembled server storing into a throw-away PostgreSQL 15 (BENCH_DATABASE_URL, or
// the embedded PGlite when PostgreSQL is not installed) and 10,000 devices added through
// the device registry (so they are in storage), each with the samples of one poll of a
// 24-port router (5 device series + 24 × 8 interface series ≈ 2M series) on the bus. Storage
// ingests those samples first; the figures are taken once its buffer has drained (the server
// between polls).
// Measures over loopback HTTP:
//   - GET /api/v1/routers (pages, filters, search) p50/p99 — goal p99 < 50 ms
//   - GET /metrics (the monitor's registry) — goal < 100 ms
//   - GET /metrics/devices (all devices, streamed) — goal < 1 s
// Reference: the same 2M series rendered by prom-client's Registry#metrics() (one Gauge per
// metric name, labelled children), the usual way to expose them.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Gauge, Registry } from 'prom-client';
import { assemble, readConfig } from '../examples/server/dist/assemble.js';
import { runServer } from '../examples/server/dist/run-server.js';
import { parseServerConfig } from '../examples/server/dist/server-config.js';
import { definePlugin, tokens } from '../packages/core/dist/index.js';
import { benchDatabase } from './support/pg-server.mjs';

const quick = process.env.BENCH_QUICK === '1';
const DEVICES = quick ? 1000 : 10_000;
const PORTS = 24;
const KEY = 'ispm_bench_admin_key_0123456789abcdefghijklmnopq';
const log = (...a) => console.error(...a);

// A driver that answers instantly with nothing: the bench measures the server, not polling.
const benchDriver = definePlugin({
  name: 'bench-driver',
  version: '0.0.0',
  setup(ctx) {
    ctx.provide(tokens.Driver, { kind: 'bench', poll: async () => ({ samples: [] }) });
  },
});

const IF_METRICS = [
  'interface_in_octets_total',
  'interface_out_octets_total',
  'interface_in_packets_total',
  'interface_out_packets_total',
  'interface_in_errors_total',
  'interface_oper_up',
  'interface_admin_up',
  'interface_speed_bps',
];

function samplesOf(id, site, now) {
  const base = { device: id, site, role: 'access' };
  const out = [
    { name: 'device_up', labels: base, value: 1, ts: now },
    { name: 'device_uptime_seconds', labels: base, value: 123456, ts: now },
    { name: 'device_cpu_load_ratio', labels: { ...base, cpu: '1' }, value: 0.31, ts: now },
    { name: 'device_memory_used_bytes', labels: base, value: 512e6, ts: now },
    { name: 'device_memory_total_bytes', labels: base, value: 1024e6, ts: now },
  ];
  for (let p = 1; p <= PORTS; p++) {
    const labels = { ...base, ifName: `ether${p}` };
    for (const name of IF_METRICS)
      out.push({ name, labels, value: name.endsWith('_total') ? 9_876_543_210 + p : 1, ts: now });
  }
  return out;
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

// The HTTP client runs in a child process, as Prometheus does: a client in this process would
// spend its CPU (fetch, reading 175 MB) on the server's event loop and count it as server time.
// The child reads each body chunk by chunk and drops it, and times request to last byte.
const CLIENT = `
  let input = '';
  for await (const c of process.stdin) input += c;
  const { jobs } = JSON.parse(input);
  const out = [];
  for (const { url, headers } of jobs) {
    const t = performance.now();
    const res = await fetch(url, { headers });
    let bytes = 0;
    for await (const chunk of res.body) bytes += chunk.length;
    if (!res.ok) { console.error(url + ': ' + res.status); process.exit(1); }
    out.push({ ms: performance.now() - t, bytes });
  }
  process.stdout.write(JSON.stringify(out));
`;

/** Times each request from a separate Node process; `[{ ms, bytes }]` in order. */
function timedRemote(urls, headers = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CLIENT], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client exit ${code}`)),
    );
    child.stdin.end(JSON.stringify({ jobs: urls.map((url) => ({ url, headers })) }));
  });
}

// The old way, for comparison: client in the same process (its CPU counted as the server's).
async function timedInProcess(url) {
  const t = performance.now();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  return { ms: performance.now() - t, bytes: body.byteLength };
}

const db = await benchDatabase();
log(db ? 'storage: PostgreSQL 15' : 'storage: embedded PGlite (PostgreSQL not installed)');
const { config, secrets } = (
  await readConfig(undefined, { LOG_LEVEL: 'error', ...(db ? { DATABASE_URL: db.url } : {}) })
).loaded;
config.api = { host: '127.0.0.1', port: 0 };
config.metrics = { host: '127.0.0.1', port: 0 };
config.poller = { ...config.poller, interval: '1h' };
const monitor = await assemble(config, secrets, { memoryDb: !db, plugins: [benchDriver()] });
const server = await runServer(monitor, config, parseServerConfig({ auth: { adminApiKey: KEY } }, {}), {
  print: () => {},
});
const auth = { authorization: `Bearer ${KEY}` };

let t0 = performance.now();
const sites = ['BEY', 'TRP', 'SDN', 'ZHL'];
for (let i = 0; i < DEVICES; i++) {
  const id = `r${String(i).padStart(5, '0')}`;
  await monitor.devices.add({
    id,
    host: `127.0.${i >> 8}.${i & 255}`,
    driver: 'bench',
    labels: { site: sites[i % 4], role: 'access' },
  });
}
log(`added ${DEVICES} devices to storage in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
// A device added at run time is polled at once; let those first polls finish, or their (empty)
// results would replace the samples emitted below.
while (monitor.devices.counts().unknown > 0) await new Promise((r) => setTimeout(r, 50));

t0 = performance.now();
const now = Date.now();
let series = 0;
for (const state of monitor.devices.list()) {
  const samples = samplesOf(state.device.id, state.device.labels.site, now);
  series += samples.length;
  monitor.bus.emit('samples', { device: state.device, samples });
}
log(
  `${series} series from one poll of each device rendered in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
const buffered = async () => {
  const metric = monitor.metrics.getSingleMetric('ispmonitor_sink_buffer_samples');
  return (await metric.get()).values.reduce((a, v) => a + v.value, 0);
};
while ((await buffered()) > 0) await new Promise((r) => setTimeout(r, 250));
const ingestS = (performance.now() - t0) / 1000;
// All polls arrive at once here, beyond the sink's buffer limit: the excess is dropped (and
// counted), which does not matter for what this bench measures.
log(`storage buffer drained ${ingestS.toFixed(1)} s after the samples were emitted`);

// Warm-up, then measurements.
const routerPage = (i) => `${server.urls.api}/api/v1/routers?page=${i + 1}`;
await timedRemote(
  Array.from({ length: 20 }, (_, i) => routerPage(i)),
  auth,
);
const routerUrls = [];
for (let i = 0; i < 300; i++) {
  const q = [
    `page=${1 + (i % 200)}&pageSize=50`,
    `site=${sites[i % 4]}&page=${1 + (i % 50)}`,
    `search=r0${i % 100}`,
    `status=unknown&pageSize=100&page=${1 + (i % 100)}`,
  ][i % 4];
  routerUrls.push(`${server.urls.api}/api/v1/routers?${q}`);
}
const routerMs = (await timedRemote(routerUrls, auth)).map((r) => r.ms);

const metricsMs = (await timedRemote(Array(31).fill(`${server.urls.metrics}/metrics`)))
  .slice(1)
  .map((r) => r.ms);

const deviceRuns = await timedRemote(Array(5).fill(`${server.urls.metrics}/metrics/devices`));
const deviceBytes = deviceRuns[0].bytes;
const inProcess = [];
for (let i = 0; i < 3; i++)
  inProcess.push((await timedInProcess(`${server.urls.metrics}/metrics/devices`)).ms);
const targetMs = (
  await timedRemote(
    Array.from(
      { length: 200 },
      (_, i) =>
        `${server.urls.metrics}/metrics/devices?target=r${String((i * 7) % DEVICES).padStart(5, '0')}`,
    ),
  )
).map((r) => r.ms);
const sdMs = (await timedRemote([`${server.urls.metrics}/sd/devices`]))[0].ms;
// One round of the replica sync (re-reading the stored devices), as every process sharing a
// PostgreSQL runs it every server.syncIntervalSeconds: the first validates every device, later
// ones only what changed.
const syncMs = [];
for (let i = 0; i < 4; i++) {
  const t = performance.now();
  await server.syncNow();
  syncMs.push(performance.now() - t);
}

await server.shutdown();
await db?.stop();

// Reference: prom-client renders the same series.
t0 = performance.now();
const reg = new Registry();
const gauges = new Map();
for (let i = 0; i < DEVICES; i++) {
  const id = `r${String(i).padStart(5, '0')}`;
  for (const s of samplesOf(id, sites[i % 4], now)) {
    let g = gauges.get(s.name);
    if (!g) {
      g = new Gauge({
        name: s.name,
        help: s.name,
        labelNames: ['device', 'site', 'role', 'cpu', 'ifName'],
        registers: [reg],
      });
      gauges.set(s.name, g);
    }
    g.set(s.labels, s.value);
  }
}
log(`reference registry filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const refRuns = [];
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  await reg.metrics();
  refRuns.push(performance.now() - t);
}

const figures = {
  devices: DEVICES,
  series,
  storage: db ? 'postgres' : 'pglite',
  ingest_s: +ingestS.toFixed(1),
  routers_p50_ms: +pct(routerMs, 50).toFixed(2),
  routers_p99_ms: +pct(routerMs, 99).toFixed(2),
  metrics_ms: +pct(metricsMs, 50).toFixed(2),
  metrics_p99_ms: +pct(metricsMs, 99).toFixed(2),
  device_metrics_all_ms: +Math.min(...deviceRuns.map((r) => r.ms)).toFixed(0),
  device_metrics_all_median_ms: +pct(
    deviceRuns.map((r) => r.ms),
    50,
  ).toFixed(0),
  device_metrics_all_client_in_process_ms: +Math.min(...inProcess).toFixed(0),
  device_metrics_all_mb: +(deviceBytes / 1e6).toFixed(1),
  device_metrics_target_p99_ms: +pct(targetMs, 99).toFixed(2),
  sd_devices_ms: +sdMs.toFixed(1),
  replica_sync_first_ms: db ? +syncMs[0].toFixed(0) : null,
  replica_sync_ms: db ? +Math.min(...syncMs.slice(1)).toFixed(0) : null,
};
const reference = {
  device_metrics_all_ms: +Math.min(...refRuns).toFixed(0),
  what: 'prom-client Registry#metrics() over the same series (render only, no HTTP)',
};
const result = {
  name: 'server',
  loadavg: loadavg().map((l) => +l.toFixed(2)),
  client: 'separate Node process (fetch, body read and dropped chunk by chunk)',
  figures,
  reference,
  ratios: {
    device_metrics_all_ms: +(figures.device_metrics_all_ms / reference.device_metrics_all_ms).toFixed(2),
  },
  goals: { routers_p99_ms: '<= 50', metrics_ms: '<= 100', device_metrics_all_ms: '<= 1000' },
};
console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
process.exit(0);
