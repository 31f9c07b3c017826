// CPU per poll of the fleet bench's routers, this build against a reference build (DRIVER=<path
// to its index.js>), measured in turn (issue 19). One simulator CLI child (`ispmonitor-sim`,
// mikrotik, LATENCY ms on every reply, default 20 as bench/fleet.mjs) serves COUNT routers; two
// warm poller children (one per build, each one driver kept between polls, as a worker's) poll
// every router once per round, CONCURRENCY polls at a time (so polls overlap and their state
// lives through scavenges, as in a worker), with a worker's young generation (16 MB semi-spaces)
// and the V8 flags core's poller workers set (heap growth 100 %, allocation-site pretenuring off);
// LOOP_FLAGS=1: V8's defaults instead, as a poller without workers runs.
// CPU is each child's process.cpuUsage() over its round — every thread, V8's GC helpers
// included — per poll, with the scavenges and mark-compacts the round ran. REPEATS rounds each,
// alternating which build goes first; prints each round, then medians and the ratio.
// Run: DRIVER=/path/to/ref/dist/index.js node bench/snmp/cpu-fleet.mjs   (COUNT 300, CONCURRENCY 100, REPEATS 6)
import { fork, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

if (process.argv[2] === 'child') {
  // A poller: argv = child, devices JSON path is sent by IPC. Driver from DRIVER (or this build).
  const { silent } = await import('../support/silent.mjs');
  const { createSnmpDriver } = await import(process.env.DRIVER || '@ispmonitor/plugin-snmp');
  const concurrency = Number(process.env.CONCURRENCY ?? 100);
  const gcs = { minor: 0, major: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = e.detail?.kind ?? e.kind;
      if (kind === 1) gcs.minor++;
      else if (kind === 2 || kind === 4) gcs.major++;
    }
  }).observe({ entryTypes: ['gc'] });
  let targets = [];
  const driver = createSnmpDriver();
  const round = async () => {
    let next = 0;
    let errors = 0;
    const lane = async () => {
      while (next < targets.length) {
        const { device, settings } = targets[next++];
        const r = await driver.poll(device, settings, {
          signal: AbortSignal.timeout(60_000),
          logger: silent,
        });
        if (r.error) errors++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return errors;
  };
  process.on('message', async (msg) => {
    if (msg.devices) {
      targets = msg.devices.map((d) => {
        const device = {
          id: d.id,
          host: d.host,
          port: d.port,
          driver: 'snmp',
          snmp: { version: '2c', community: d.community },
        };
        return { device, settings: driver.settings.parse(device.snmp) };
      });
      for (let i = 0; i < Number(msg.warmup); i++) await round();
      process.send({ ready: true });
      return;
    }
    const g0 = { ...gcs };
    const cpu0 = process.cpuUsage();
    const errors = await round();
    const cpu = process.cpuUsage(cpu0);
    process.send({
      usPerPoll: (cpu.user + cpu.system) / targets.length,
      minor: gcs.minor - g0.minor,
      major: gcs.major - g0.major,
      errors,
    });
  });
} else {
  const REF = process.env.DRIVER;
  if (!REF) throw new Error('DRIVER=<path to the reference build index.js> is required');
  const COUNT = Number(process.env.COUNT ?? 300);
  const REPEATS = Number(process.env.REPEATS ?? 6);
  const cli = fileURLToPath(new URL('../../packages/simulator/dist/cli.js', import.meta.url));
  const sim = spawn(
    process.execPath,
    [cli, '--count', String(COUNT), '--latency', process.env.LATENCY ?? '20', '--quiet'],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const ready = await new Promise((resolve, reject) => {
    sim.once('message', resolve);
    sim.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  const devices = ready.devices.map(({ id, host, port, community }) => ({ id, host, port, community }));
  const start = async (driver) => {
    const env = { ...process.env, DRIVER: driver ?? '' };
    const c = fork(here, ['child'], {
      env,
      execArgv: process.env.LOOP_FLAGS
        ? []
        : ['--max-semi-space-size=16', '--heap-growing-percent=100', '--no-allocation-site-pretenuring'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ask = (msg) =>
      new Promise((resolve) => {
        c.once('message', resolve);
        c.send(msg);
      });
    await ask({ devices, warmup: process.env.WARMUP ?? 3 });
    return { round: () => ask({ round: true }), stop: () => c.kill() };
  };
  const ours = await start(undefined);
  const ref = await start(REF);
  const rows = [];
  try {
    for (let i = 0; i < REPEATS; i++) {
      const order = i % 2 === 0 ? [ours, ref] : [ref, ours];
      const got = new Map();
      for (const side of order) got.set(side, await side.round());
      const a = got.get(ours);
      const b = got.get(ref);
      rows.push({ a: a.usPerPoll, b: b.usPerPoll });
      console.log(
        `round ${i + 1}: this ${a.usPerPoll.toFixed(0)} µs/poll (${a.minor} scavenges, ${a.major} full GCs), ` +
          `reference ${b.usPerPoll.toFixed(0)} (${b.minor}, ${b.major}), ratio ${(a.usPerPoll / b.usPerPoll).toFixed(3)}` +
          `${a.errors + b.errors ? `, ${a.errors + b.errors} failed polls` : ''} (load ${loadavg()[0].toFixed(2)})`,
      );
    }
  } finally {
    ours.stop();
    ref.stop();
    sim.send({ type: 'close' });
  }
  const median = (xs) => {
    const s = [...xs].sort((x, y) => x - y);
    return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const sum = (k) => rows.reduce((t, r) => t + r[k], 0);
  console.log(
    `median this ${median(rows.map((r) => r.a)).toFixed(0)} µs/poll, reference ${median(rows.map((r) => r.b)).toFixed(0)}; ` +
      `ratio median ${median(rows.map((r) => r.a / r.b)).toFixed(3)}, of the sums ${(sum('a') / sum('b')).toFixed(3)}`,
  );
}
