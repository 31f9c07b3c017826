// Core overhead: 10,000 devices with a no-op driver at a 10 s interval, on real time.
// Figures: CPU per poll spent in core (µs) and heap per device (KB). Reference, in the same run:
// the least a scheduler can do — one setInterval per device calling the same driver.
// Run: node --expose-gc bench/core.mjs   (BENCH_QUICK=1 for a shorter run)
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createMonitor, definePlugin, tokens } from '@ispmonitor/core';
import { printResult, ratiosOf } from './support/result.mjs';
import { silent } from './support/silent.mjs';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 10_000);
const INTERVAL_MS = 10_000;
const SECONDS = process.env.BENCH_QUICK ? 12 : 32;
// Heap figures need a full GC before each reading: expose it even when run without --expose-gc.
setFlagsFromString('--expose-gc');
const gc = globalThis.gc ?? runInNewContext('gc');
const noopDriver = { kind: 'noop', poll: async () => ({ samples: [] }) };

function heapMB() {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

/** CPU the process spends idle over the same window: subtracted to get what polling costs. */
async function idleCpuMicros(ms) {
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const cpu = process.cpuUsage(cpu0);
  return cpu.user + cpu.system;
}

async function measure(label, startFn) {
  const heapBefore = heapMB();
  const { stop, polls } = await startFn();
  // Let start-up settle, then measure over whole intervals.
  await new Promise((r) => setTimeout(r, INTERVAL_MS + 500));
  const heapAfter = heapMB();
  const p0 = polls();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, (SECONDS - 12) * 1000 + 10_000));
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  const n = polls() - p0;
  await stop();
  const usPerPoll = (cpu.user + cpu.system) / n;
  const marginal = (cpu.user + cpu.system - (idle * wall) / IDLE_MS) / n;
  const kbPerDevice = ((heapAfter - heapBefore) * 1024) / DEVICES;
  console.log(
    `${label.padEnd(12)} polls ${n}  wall ${(wall / 1000).toFixed(1)} s  CPU/poll ${usPerPoll.toFixed(2)} µs (above idle ${marginal.toFixed(2)} µs)  heap/device ${kbPerDevice.toFixed(2)} KB`,
  );
  return { usPerPoll, marginal, kbPerDevice, polls: n, pollsPerSecond: (n / wall) * 1000 };
}

const IDLE_MS = 5000;
const idle = await idleCpuMicros(IDLE_MS);
console.log(`idle process: ${(idle / IDLE_MS).toFixed(1)} µs CPU per ms of wall time`);

const ours = await measure('core', async () => {
  let count = 0;
  const plugin = definePlugin({
    name: 'noop',
    version: '0.0.0',
    setup: (ctx) => ctx.provide(tokens.Driver, noopDriver),
  })();
  const devices = Array.from({ length: DEVICES }, (_, i) => ({
    id: `dev-${i}`,
    host: '127.0.0.1',
    driver: 'noop',
    interval: INTERVAL_MS,
  }));
  const monitor = await createMonitor({
    plugins: [plugin],
    devices,
    poller: { concurrency: 1000 },
    logger: silent,
  });
  monitor.bus.on('poll:success', () => void count++);
  await monitor.start();
  return { stop: () => monitor.stop(), polls: () => count };
});

const reference = await measure('setInterval', async () => {
  let count = 0;
  const timers = [];
  for (let i = 0; i < DEVICES; i++) {
    const device = { id: `dev-${i}`, host: '127.0.0.1', driver: 'noop' };
    const start = setTimeout(
      () => {
        timers.push(setInterval(() => noopDriver.poll(device).then(() => count++), INTERVAL_MS));
      },
      (i * INTERVAL_MS) / DEVICES,
    );
    timers.push(start);
  }
  return {
    stop: async () => {
      for (const t of timers) clearInterval(t);
    },
    polls: () => count,
  };
});

/** The figures compared, for one setup. */
const figuresOf = (m) => ({
  cpu_us_per_poll: m.usPerPoll,
  cpu_us_per_poll_above_idle: m.marginal,
  // 0.01 KB: below what the heap reading resolves (and a ratio's floor).
  heap_kb_per_device: Math.max(0.01, m.kbPerDevice),
});
printResult({
  name: 'core',
  figures: { ...figuresOf(ours), polls_per_s: Math.round(ours.pollsPerSecond) },
  reference: { ...figuresOf(reference), what: 'one setInterval per device, same driver' },
  ratios: ratiosOf(figuresOf(ours), figuresOf(reference), ['cpu_us_per_poll', 'heap_kb_per_device']),
  goals: { cpu_us_per_poll_above_idle: '<= 20', heap_kb_per_device: '<= 10' },
});
