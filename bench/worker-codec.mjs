// The poller workers' batch codec (packages/core/src/workers/codec.ts), alone: bytes allocated and
// CPU per poll to encode a batch of outcomes in a worker and to decode it on the main thread.
//
// A poll is shaped like a simulated router's (bench/fleet.mjs): 312 samples — 28 interfaces × 11
// counters and states sharing one labels object each, CPU, memory, sensors — one timestamp, and its
// facts (system, 28 interfaces, 12 ARP entries). A batch holds BENCH_CODEC_POLLS polls (default 4;
// a worker sends one at most every 10 ms, or at 2,500 samples). BENCH_CODEC_FACTS=0 leaves facts out.
//
// Allocation: V8 heap bytes (and ArrayBuffer bytes, outside the heap) per poll over runs during which
// no GC ran (the young generation is made large enough: run with --max-semi-space-size=64, which
// this script asks for itself when it is missing, with --expose-gc), so the figures are exact and independent of load.
// CPU: process CPU time per poll over BENCH_CODEC_ROUNDS batches (default 20,000), after warm-up.
//
// BENCH_CODEC_MODULE=file:///…/codec.js measures another build of the codec: one with the former API
// (encodeBatch/decodeBatch/packSamples/unpackSamples: JSON text with packed samples) is driven the way
// the former worker-main.js and pool.js drove it. Not a test: nothing asserts.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

if (!process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) {
  const args = [
    '--max-semi-space-size=64',
    '--expose-gc',
    ...process.execArgv,
    fileURLToPath(import.meta.url),
  ];
  execFileSync(process.execPath, args, { stdio: 'inherit' });
  process.exit(0);
}

const moduleUrl =
  process.env.BENCH_CODEC_MODULE || new URL('../packages/core/dist/workers/codec.js', import.meta.url).href;
const codec = await import(moduleUrl);
const pollsPerBatch = Number(process.env.BENCH_CODEC_POLLS ?? 4);
const withFacts = process.env.BENCH_CODEC_FACTS !== '0';
const rounds = Number(process.env.BENCH_CODEC_ROUNDS ?? 20_000);

const COUNTERS = [
  'interface_in_octets_total',
  'interface_out_octets_total',
  'interface_in_packets_total',
  'interface_out_packets_total',
  'interface_in_errors_total',
  'interface_out_errors_total',
  'interface_in_discards_total',
  'interface_out_discards_total',
];

/** One simulated router's poll outcome, fresh objects each time (as a driver makes them). */
function poll(d, ts) {
  const device = `sim-${d}`;
  const samples = [];
  const interfaces = [];
  samples.push({ name: 'device_uptime_seconds', labels: { device }, value: 3_438_069.31 + d, ts });
  for (let i = 1; i <= 28; i++) {
    const labels = { device, ifName: `ether${i}` };
    const up = i % 7 === 0 ? 0 : 1;
    samples.push({ name: 'interface_admin_up', labels, value: 1, ts });
    samples.push({ name: 'interface_oper_up', labels, value: up, ts });
    samples.push({ name: 'interface_speed_bps', labels, value: 1_000_000_000, ts });
    for (const [k, name] of COUNTERS.entries())
      samples.push({
        name,
        labels,
        value: k < 4 ? 123_456_789_012 * i + d * 7919 + k : (d + i + k) % 97,
        ts,
      });
    interfaces.push({
      index: i,
      name: `ether${i}`,
      description: `ether${i}`,
      type: 'ethernetCsmacd',
      mac: `4c:5e:0c:53:61:${i.toString(16).padStart(2, '0')}`,
      speedBps: 1_000_000_000,
      adminUp: true,
      operUp: up === 1,
      addresses: i === 1 ? ['10.10.1.1/24'] : [],
    });
  }
  for (let c = 0; c < 4; c++)
    samples.push({
      name: 'device_cpu_load_ratio',
      labels: { device, cpu: String(c) },
      value: 0.07 * (c + 1),
      ts,
    });
  const pool = { device, pool: 'main' };
  samples.push({ name: 'device_memory_total_bytes', labels: pool, value: 1_073_741_824, ts });
  samples.push({ name: 'device_memory_used_bytes', labels: pool, value: 402_653_184 + d, ts });
  samples.push({ name: 'device_temperature_celsius', labels: { device, sensor: 'board' }, value: 41.5, ts });
  samples.push({ name: 'device_voltage_volts', labels: { device, sensor: 'psu' }, value: 24.1, ts });
  const result = { samples };
  if (withFacts) {
    result.facts = {
      system: {
        name: device,
        description: 'RouterOS RB4011iGS+',
        objectId: '1.3.6.1.4.1.14988.1',
        vendor: 'MikroTik',
        uptimeSeconds: 3_438_069.31,
      },
      interfaces,
      neighbours: [],
      arp: Array.from({ length: 12 }, (_, i) => ({
        address: `10.255.1.${i + 1}`,
        mac: `02:05:d9:8b:de:${i.toString(16).padStart(2, '0')}`,
        interface: 'ether1',
        type: 'dynamic',
      })),
    };
  }
  return { ok: true, result, durationMs: 245.3, attempts: 1 };
}

const newApi = typeof codec.encodeOutcomes === 'function';
/** The worker's side: outcomes → one buffer. */
const encode = newApi
  ? (batch) => codec.encodeOutcomes(batch)
  : (batch) =>
      codec.encodeBatch(
        batch.map(([seq, { result, ...rest }]) => {
          const wire = rest;
          if (result) wire.result = { ...result, samples: codec.packSamples(result.samples) };
          return [seq, wire];
        }),
      );
/** The main thread's side: buffer → outcomes with their samples. */
const decode = newApi
  ? (buf) => codec.decodeOutcomes(buf)
  : (buf) =>
      codec.decodeBatch(buf).map(([seq, { result, ...rest }]) => {
        const outcome = rest;
        if (result) outcome.result = { ...result, samples: codec.unpackSamples(result.samples) };
        return [seq, outcome];
      });

let seq = 0;
const batchOf = (d) =>
  Array.from({ length: pollsPerBatch }, (_, i) => [
    ++seq,
    poll(d * pollsPerBatch + i, 1_796_538_816_003 + d),
  ]);
const samplesPerPoll = batchOf(0)[0][1].result.samples.length;

let gcs = 0;
new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });
const settle = () => new Promise((r) => setTimeout(r, 20));

/** Bytes allocated per poll by `fn` over `n` batches prepared ahead, in a run without any GC. */
async function allocated(prepare, fn, n = 40) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const inputs = Array.from({ length: n }, (_, i) => prepare(i));
    globalThis.gc?.();
    await settle();
    const g0 = gcs;
    const m0 = process.memoryUsage();
    const keep = new Array(n);
    for (let i = 0; i < n; i++) keep[i] = fn(inputs[i]);
    const m1 = process.memoryUsage();
    await settle();
    if (gcs !== g0) continue; // a GC ran: the heap delta is not the allocation
    const polls = n * pollsPerBatch;
    return {
      heap: (m1.heapUsed - m0.heapUsed) / polls,
      buffers: (m1.arrayBuffers - m0.arrayBuffers) / polls,
      keep,
    };
  }
  throw new Error('a GC ran in every attempt: give --max-semi-space-size more');
}

/** CPU µs per poll of `fn` over `rounds` batches (inputs made outside the timed part). */
function cpu(prepare, fn) {
  const pool = Array.from({ length: 64 }, (_, i) => prepare(i));
  for (let i = 0; i < 2_000; i++) fn(pool[i % 64], i); // warm-up
  let spent = 0;
  for (let i = 0; i < rounds; i += 64) {
    const inputs = Array.from({ length: 64 }, (_, k) => prepare(i + k));
    const c0 = process.cpuUsage();
    for (const x of inputs) fn(x);
    const c = process.cpuUsage(c0);
    spent += c.user + c.system;
  }
  return spent / (Math.ceil(rounds / 64) * 64 * pollsPerBatch);
}

const encodedOf = (i) => encode(batchOf(i));
// CPU first: it also warms both sides up, so allocation is measured in optimized code, as in a
// poller that has run for a while.
const encCpu = cpu(batchOf, encode);
const decCpu = cpu(encodedOf, decode);
const encAlloc = await allocated(batchOf, encode);
const bytesPerPoll =
  encAlloc.keep.reduce((a, b) => a + b.byteLength, 0) / (encAlloc.keep.length * pollsPerBatch);
const decAlloc = await allocated(encodedOf, decode);

const r = {
  codec: newApi ? 'binary (encodeOutcomes)' : 'json (encodeBatch + packSamples)',
  module: moduleUrl.replace(/^.*\/(packages|tmp)\//, '$1/'),
  polls_per_batch: pollsPerBatch,
  samples_per_poll: samplesPerPoll,
  facts: withFacts,
  buffer_bytes_per_poll: Math.round(bytesPerPoll),
  encode_heap_bytes_per_poll: Math.round(encAlloc.heap),
  encode_arraybuffer_bytes_per_poll: Math.round(encAlloc.buffers),
  decode_heap_bytes_per_poll: Math.round(decAlloc.heap),
  encode_cpu_us_per_poll: +encCpu.toFixed(1),
  decode_cpu_us_per_poll: +decCpu.toFixed(1),
  loadavg_1m: +loadavg()[0].toFixed(2),
  node: process.version,
};
console.log(`BENCH_RESULT ${JSON.stringify(r)}`);
