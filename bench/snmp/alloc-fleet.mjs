// JavaScript heap allocated per poll of the fleet bench's routers (issue 19): the simulator CLI
// (`ispmonitor-sim`, default profile mikrotik, 24 ports) in a child process, as bench/fleet.mjs
// runs it, polled by one driver that keeps its per-router memory between polls, as a poller
// worker's does. Every router is polled WARMUP times first (names, speeds, caches), then ROUNDS
// rounds of every router are measured: a full GC, a poll of each router, the heap's growth over
// the round. The young generation is made large enough (128 MB semi-spaces) that no GC runs
// during a round. Prints the median over rounds of bytes a poll. DRIVER=<path to another build's index.js> measures that
// build. SIM_ARGS adds simulator options (e.g. "--profile cisco"). Allocation counts are not moved
// by the machine's load, so A/B runs need not alternate.
// PROFILE=N: instead, V8's sampling heap profiler over the measured rounds (garbage included,
// one sample every 256 bytes), printing the N allocating functions and the N stacks (3 frames)
// with the most bytes, as shares of everything sampled.
// Run: node bench/snmp/alloc-fleet.mjs   (COUNT routers, default 20; ROUNDS 7; WARMUP 3)
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';

if (typeof globalThis.gc !== 'function') {
  const flags = ['--expose-gc', '--min-semi-space-size=128', '--max-semi-space-size=128'];
  const r = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { silent } = await import('../support/silent.mjs');
const { Session } = await import('node:inspector/promises');
const { createSnmpDriver } = await import(process.env.DRIVER ?? '@ispmonitor/plugin-snmp');
const COUNT = Number(process.env.COUNT ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const WARMUP = Number(process.env.WARMUP ?? 3);
const cli = fileURLToPath(new URL('../../packages/simulator/dist/cli.js', import.meta.url));
const extra = (process.env.SIM_ARGS ?? '').split(' ').filter(Boolean);
const child = spawn(process.execPath, [cli, '--count', String(COUNT), '--quiet', ...extra], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const ready = await new Promise((resolve, reject) => {
  child.once('message', resolve);
  child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
});
try {
  const driver = createSnmpDriver();
  const targets = ready.devices.map((d) => {
    const device = {
      id: d.id,
      host: d.host,
      port: d.port,
      driver: 'snmp',
      snmp: { version: '2c', community: d.community },
    };
    return { device, settings: driver.settings.parse(device.snmp) };
  });
  const poll = async ({ device, settings }) => {
    const r = await driver.poll(device, settings, { signal: AbortSignal.timeout(60_000), logger: silent });
    if (r.error) throw new Error(`${device.id}: ${r.error.code} ${r.error.message}`);
    return r;
  };
  for (let i = 0; i < WARMUP; i++) for (const t of targets) await poll(t);
  if (process.env.PROFILE) {
    const session = new Session();
    session.connect();
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 256,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    for (let i = 0; i < ROUNDS; i++) for (const t of targets) await poll(t);
    const { profile } = await session.post('HeapProfiler.stopSampling');
    summarise(profile, Number(process.env.PROFILE), ROUNDS * targets.length);
    process.exit(0);
  }
  // Per round: a full GC, every router polled once, the heap's growth over the round / routers.
  const perPoll = [];
  let samples = 0;
  const varbinds0 = driver.stats.varbinds;
  for (let i = 0; i < ROUNDS; i++) {
    globalThis.gc();
    const before = getHeapStatistics().used_heap_size;
    for (const t of targets) samples += (await poll(t)).samples.length;
    perPoll.push((getHeapStatistics().used_heap_size - before) / targets.length);
  }
  const n = ROUNDS * targets.length;
  const sorted = [...perPoll].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  const varbinds = (driver.stats.varbinds - varbinds0) / n;
  const kb = (b) => (b / 1024).toFixed(1);
  console.log(
    `${process.env.DRIVER ? 'reference' : 'this build'}: ${kb(median)} KB allocated a poll ` +
      `(median of ${ROUNDS} rounds of ${targets.length} routers; min ${kb(sorted[0])}, max ${kb(sorted[sorted.length - 1])}), ` +
      `${Math.round(median / varbinds)} B per varbind; ${varbinds.toFixed(0)} varbinds, ${(samples / n).toFixed(0)} samples a poll`,
  );
} finally {
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.send({ type: 'close' });
  });
}

/** Bytes sampled per allocating function and per 3-frame stack, per poll. */
function summarise(profile, top, polls) {
  const byFn = new Map();
  const byStack = new Map();
  let total = 0;
  const frame = (n) =>
    `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
  const walk = (node, path) => {
    const here = [frame(node), ...path].slice(0, 3);
    const self = node.selfSize;
    if (self > 0) {
      total += self;
      byFn.set(here[0], (byFn.get(here[0]) ?? 0) + self);
      const k = here.join(' < ');
      byStack.set(k, (byStack.get(k) ?? 0) + self);
    }
    for (const c of node.children) walk(c, here);
  };
  walk(profile.head, []);
  const show = (m) => {
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(
        `${(v / polls / 1024).toFixed(1).padStart(7)} KB ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`,
      );
  };
  console.log(`sampled ${(total / polls / 1024).toFixed(1)} KB a poll over ${polls} polls; by function:`);
  show(byFn);
  console.log('by stack:');
  show(byStack);
  // By where the allocating function lives: this package's files, Node's internals, V8 builtins.
  const byFile = new Map();
  for (const [k, v] of byFn) {
    const file = k.split(' ')[1]?.replace(/:\d+$/, '') || '(builtin)';
    byFile.set(file, (byFile.get(file) ?? 0) + v);
  }
  console.log('by file:');
  show(byFile);
}
