// MikroTik driver benchmark: 1,000 emulated RouterOS routers (24 interfaces, 500 PPPoE session
// slots, 300 DHCP leases each) polled with bounded concurrency over persistent API connections.
// The emulator runs in a child process so that only the poller's CPU is counted.
// Figures: client CPU per router poll (ms), wall per round, heap and RSS per router (after the
// connections are up). Reference: mktxp (the Prometheus exporter for RouterOS) — a published
// figure of 5–6 s wall per router scrape, NOT measured here.
// Then a BNG: 8,000 active PPPoE sessions (BENCH_BNG_SESSIONS). Figures: the driver's parse of
// `/ppp/active` plus its dynamic `<pppoe-USER>` interfaces and the SessionTracker diff per poll
// (in process, on 8,000 rows of each, with a few sessions churning per poll: issue 16's goal is
// ≤ 20 ms CPU), and a whole poll of an emulated BNG (`ppp` + `interfaces`, so the session bytes
// are read too) as client CPU, protocol decoding included.
// Not a test: nothing asserts; it prints a table and, last, `BENCH_RESULT {json}`.
// Run: npx tsc -b packages/plugin-mikrotik packages/simulator && node --expose-gc bench/mikrotik.mjs
//      (BENCH_QUICK=1: 200 routers, 2 rounds)
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pollerFor } from './support/poll.mjs';
import { silent } from './support/silent.mjs';

const QUICK = Boolean(process.env.BENCH_QUICK);
const ROUTERS = Number(process.env.BENCH_ROUTERS ?? (QUICK ? 200 : 1000));
const ROUNDS = QUICK ? 2 : 4;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const SIZES = { interfaces: 24, pppSessions: 500, leases: 300 };

const BNG_SESSIONS = Number(process.env.BENCH_BNG_SESSIONS ?? 8000);

if (process.argv[2] === 'bng') {
  // Child: one BNG with BNG_SESSIONS session slots (most of them up at any time).
  const { startRouterOsEmulator } = await import('../packages/simulator/dist/routeros/index.js');
  const bng = await startRouterOsEmulator({
    profile: 'v7.16',
    password: 'bench',
    interfaces: 8,
    pppSessions: BNG_SESSIONS,
  });
  process.send?.({ ports: [bng.port] });
  process.on('message', async (m) => {
    if (m === 'stop') {
      await bng.close();
      process.exit(0);
    }
  });
} else if (process.argv[2] === 'emulator') {
  // Child: serve the fleet until told to stop.
  const { startRouterOsFleet } = await import('../packages/simulator/dist/routeros/index.js');
  const fleet = await startRouterOsFleet({ count: ROUTERS, profile: 'v7.16', password: 'bench', ...SIZES });
  process.send?.({ ports: fleet.ports });
  process.on('message', async (m) => {
    if (m === 'stop') {
      await fleet.close();
      process.exit(0);
    }
  });
} else {
  await main();
}

/** Starts an emulator child (`emulator`: the fleet, `bng`: one BNG); resolves its ports. */
async function startChild(mode) {
  const child = fork(fileURLToPath(import.meta.url), [mode], { stdio: 'inherit' });
  const ports = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.ports));
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return { child, ports };
}

function cpuMs(u) {
  return (u.user + u.system) / 1000;
}

/** One BNG: the parse + diff in process, and whole polls of an emulated BNG. */
async function bng(createMikrotikDriver) {
  // The parse + diff in process, the driver's way (bench/support/bng-diff.mjs).
  const { measureBngDiff } = await import('./support/bng-diff.mjs');
  const { parse, decoded } = measureBngDiff({ sessions: BNG_SESSIONS, polls: 60, churn: 10 });

  const { child, ports } = await startChild('bng');
  const driver = createMikrotikDriver();
  const device = {
    id: 'bng',
    host: '127.0.0.1',
    port: ports[0],
    driver: 'mikrotik',
    mikrotik: {
      username: 'admin',
      password: 'bench',
      tls: false,
      timeout: '30s',
      collect: ['ppp', 'interfaces'],
    },
  };
  const polls = [];
  let sessions = 0;
  let withBytes = 0;
  const poll = pollerFor(driver, device);
  for (let i = 0; i < 11; i++) {
    const c0 = process.cpuUsage();
    const r = await poll({ signal: AbortSignal.timeout(60_000), logger: silent });
    if (i > 0) polls.push(cpuMs(process.cpuUsage(c0)));
    sessions = r.facts?.pppoeSessions?.length ?? 0;
    withBytes = r.facts?.pppoeSessions?.filter((s) => s.bytesIn !== undefined).length ?? 0;
  }
  await driver.close();
  child.send('stop');
  await new Promise((r) => child.once('exit', r));
  polls.sort((a, b) => a - b);
  return {
    parse,
    decoded,
    poll: { mean: polls.reduce((a, b) => a + b, 0) / polls.length, max: polls.at(-1) },
    sessions,
    withBytes,
  };
}

async function main() {
  const { createMikrotikDriver } = await import('@ispmonitor/plugin-mikrotik');
  const gc = globalThis.gc ?? (() => {});
  const { child, ports } = await startChild('emulator');
  const devices = ports.map((port, i) => ({
    id: `mt-${i}`,
    host: '127.0.0.1',
    port,
    driver: 'mikrotik',
    mikrotik: { username: 'admin', password: 'bench', tls: false, timeout: '30s' },
  }));
  const driver = createMikrotikDriver({ maxConnections: ROUTERS + 10 });
  const pollers = devices.map((device) => pollerFor(driver, device));

  let errors = 0;
  let partErrors = 0;
  let samples = 0;
  let rows = 0;
  async function round() {
    let next = 0;
    const walls = [];
    const worker = async () => {
      while (next < devices.length) {
        const poll = pollers[next++];
        const t0 = performance.now();
        const r = await poll({ signal: AbortSignal.timeout(60_000), logger: silent });
        walls.push(performance.now() - t0);
        if (r.error) errors++;
        partErrors += r.partErrors?.length ?? 0;
        samples += r.samples.length;
        rows +=
          (r.facts?.pppoeSessions?.length ?? 0) +
          (r.facts?.dhcpLeases?.length ?? 0) +
          (r.facts?.interfaces?.length ?? 0);
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    walls.sort((a, b) => a - b);
    return {
      wall: performance.now() - t0,
      p50: walls[Math.floor(walls.length / 2)],
      p99: walls[Math.floor(walls.length * 0.99)],
    };
  }

  gc();
  gc();
  const before = process.memoryUsage();
  const connect = await round(); // opens and logs in every connection, learns capabilities
  gc();
  gc();
  const after = process.memoryUsage();
  errors = 0;
  partErrors = 0;
  samples = 0;
  rows = 0;
  const rounds = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round());
  const cpu = process.cpuUsage(cpu0);
  const polls = ROUNDS * ROUTERS;
  const cpuMsPerPoll = (cpu.user + cpu.system) / 1000 / polls;
  const heapKb = (after.heapUsed - before.heapUsed) / 1024 / ROUTERS;
  const rssKb = (after.rss - before.rss) / 1024 / ROUTERS;
  const wallRound = rounds.reduce((a, r) => a + r.wall, 0) / ROUNDS;
  const p50 = rounds.reduce((a, r) => a + r.p50, 0) / ROUNDS;
  const p99 = Math.max(...rounds.map((r) => r.p99));

  await driver.close();
  child.send('stop');
  await new Promise((r) => child.once('exit', r));
  const b = await bng(createMikrotikDriver);

  const line = (k, v) => console.log(`${k.padEnd(34)} ${v}`);
  console.log(
    `MikroTik driver: ${ROUTERS} routers × (${SIZES.interfaces} interfaces, ${SIZES.pppSessions} session slots, ${SIZES.leases} leases), concurrency ${CONCURRENCY}`,
  );
  line('first round (connect + login + poll)', `${(connect.wall / 1000).toFixed(2)} s`);
  line('polls measured', `${polls} (${ROUNDS} rounds)`);
  line('errors / part errors', `${errors} / ${partErrors}`);
  line('rows per poll (sessions+leases+ifs)', (rows / polls).toFixed(0));
  line('samples per poll', (samples / polls).toFixed(0));
  line('client CPU per router poll', `${cpuMsPerPoll.toFixed(3)} ms`);
  line('wall per round (all routers)', `${(wallRound / 1000).toFixed(2)} s`);
  line('wall per router poll p50 / p99', `${p50.toFixed(1)} / ${p99.toFixed(1)} ms`);
  line('heap per router (connections up)', `${heapKb.toFixed(1)} KB`);
  line('RSS per router (connections up)', `${rssKb.toFixed(1)} KB`);
  line('mktxp (published, not measured)', '5000–6000 ms wall per router');
  console.log(`BNG: ${BNG_SESSIONS} sessions`);
  line(
    'parse + diff per poll, min / p50 / p99',
    `${b.parse.min.toFixed(2)} / ${b.parse.p50.toFixed(2)} / ${b.parse.p99.toFixed(2)} ms CPU`,
  );
  line(
    'decode of both replies, p50 / p99',
    `${b.decoded.p50.toFixed(2)} / ${b.decoded.p99.toFixed(2)} ms CPU`,
  );
  line(
    'whole BNG poll (ppp+interfaces)',
    `${b.poll.mean.toFixed(1)} ms CPU mean, ${b.poll.max.toFixed(1)} max`,
  );
  line('sessions / with bytes (emulated)', `${b.sessions} / ${b.withBytes}`);

  const result = {
    name: 'mikrotik',
    figures: {
      routers: ROUTERS,
      cpu_ms_per_router_poll: +cpuMsPerPoll.toFixed(3),
      wall_ms_per_router_poll_p50: +p50.toFixed(1),
      wall_ms_per_router_poll_p99: +p99.toFixed(1),
      wall_s_per_round: +(wallRound / 1000).toFixed(2),
      heap_kb_per_router: +heapKb.toFixed(1),
      rss_kb_per_router: +rssKb.toFixed(1),
      errors,
      part_errors: partErrors,
      bng_sessions: BNG_SESSIONS,
      bng_parse_diff_cpu_ms_min: +b.parse.min.toFixed(2),
      bng_parse_diff_cpu_ms_p50: +b.parse.p50.toFixed(2),
      bng_parse_diff_cpu_ms_mean: +b.parse.mean.toFixed(2),
      bng_parse_diff_cpu_ms_p99: +b.parse.p99.toFixed(2),
      bng_decode_cpu_ms_p50: +b.decoded.p50.toFixed(2),
      bng_poll_cpu_ms_mean: +b.poll.mean.toFixed(1),
    },
    reference: {
      wall_ms_per_router_poll: 5500,
      what: 'mktxp: published figure of 5–6 s wall per router scrape; not measured here',
    },
    ratios: { wall_ms_per_router_poll_p50: +(p50 / 5500).toFixed(4) },
    goals: { cpu_ms_per_router_poll: '<= 5', errors: '<= 0', bng_parse_diff_cpu_ms_p50: '<= 20' },
  };
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
}
