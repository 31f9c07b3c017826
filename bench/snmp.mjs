// SNMP driver benchmark, side by side in one run on the same targets: this driver (built package),
// C net-snmp `snmpbulkwalk -Cr50` and prometheus-snmp-exporter (module if_mib_ios).
// Figures: client CPU-seconds per 1,000 varbinds and varbinds per CPU-second (per core).
// Our driver is measured warm (WARMUP polls first, as a poller that runs for hours is), over
// OUR_ROUNDS polls; one extra row shows the first polls of the process, JIT compilation included.
// Not a test: nothing here asserts; it prints a table and, last, `BENCH_RESULT {json}`.
// Run: npx tsc -b packages/plugin-snmp && node bench/snmp.mjs   (BENCH_QUICK=1 for fewer rounds)
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cBatch, pairedIos, printPaired } from './snmp/paired.mjs';
import { snmpdCreds, snmpdV3, startExporter, startSnmpd, startSnmpsim } from './snmp/peers.mjs';
import { pollerFor } from './support/poll.mjs';
import { silent } from './support/silent.mjs';

// DRIVER=<path to another build's index.js> measures that build instead (a before/after reference).
const { createSnmpDriver } = await import(process.env.DRIVER ?? '@ispmonitor/plugin-snmp');
const ROUNDS = process.env.BENCH_QUICK ? 5 : 20;
const OUR_ROUNDS = process.env.BENCH_QUICK ? 20 : 100;
const WARMUP = 30;
const data = fileURLToPath(new URL('../../shared/data', import.meta.url));

/**
 * Polls with this driver; `cold` makes a new driver per poll (full walk, no cache). `warmup`
 * polls run first (JIT, caches); then `rounds` polls are measured.
 */
async function ours(label, device, cold, warmup = WARMUP, rounds = OUR_ROUNDS) {
  let driver = createSnmpDriver();
  let poll = pollerFor(driver, device);
  const fresh = () => {
    driver = createSnmpDriver();
    poll = pollerFor(driver, device);
  };
  for (let i = 0; i < warmup; i++) {
    if (cold) fresh();
    await poll({ signal: AbortSignal.timeout(60_000), logger: silent });
  }
  let varbinds = 0;
  let datagrams = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    if (cold) fresh();
    const before = driver.stats.varbinds;
    const sent = driver.stats.datagrams;
    const r = await poll({ signal: AbortSignal.timeout(60_000), logger: silent });
    if (r.error) throw new Error(`${label}: ${r.error.code} ${r.error.message}`);
    varbinds += driver.stats.varbinds - before;
    datagrams += driver.stats.datagrams - sent;
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  // Round trips (datagrams sent, SNMPv3 discovery included) per poll.
  const note = `${(datagrams / rounds).toFixed(1)} datagrams/poll`;
  return { label, varbinds, cpuS, polls: rounds, wallS: (performance.now() - t0) / 1000, datagrams, note };
}

/**
 * snmpbulkwalk of the whole recording: CPU of each process from wait4(2) in µs (bench/snmp/rusage.py),
 * start-up measured on a one-object walk in between and subtracted.
 */
async function bulkwalk(label, port, community) {
  const n = Math.max(10, ROUNDS);
  const r = await cBatch(port, community, n);
  return {
    label,
    varbinds: r.varbinds,
    cpuS: (r.usPerVarbind * r.varbinds) / 1e6,
    wallS: Number.NaN,
    note: `${n} runs, start-up ${(r.startupUs / 1000).toFixed(1)} ms subtracted`,
  };
}

function procCpuS(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function exporter(label, exporterPort, pid, target, module) {
  const url = `http://127.0.0.1:${exporterPort}/snmp?target=${target}&module=${module}`;
  await fetch(url).then((r) => r.text()); // warm-up
  let varbinds = 0;
  const c0 = procCpuS(pid);
  const t0 = performance.now();
  for (let i = 0; i < ROUNDS; i++) {
    const body = await (await fetch(url)).text();
    const m = /^snmp_scrape_pdus_returned\s+(\d+)/m.exec(body);
    varbinds += m
      ? Number(m[1])
      : body.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('snmp_scrape')).length;
  }
  return { label, varbinds, cpuS: procCpuS(pid) - c0, wallS: (performance.now() - t0) / 1000 };
}

const perK = (r) => (r.cpuS / r.varbinds) * 1000;
const perSec = (r) => r.varbinds / r.cpuS;

const stops = [];
try {
  if (!existsSync(`${data}/snmprec/ios.snmprec`)) throw new Error(`shared data not found at ${data}`);
  const sim = await startSnmpsim(`${data}/snmprec`, 'ios');
  stops.push(sim.stop);
  const snmpd = await startSnmpd();
  stops.push(snmpd.stop);
  const exp = await startExporter(`${data}/snmp_exporter/snmp.yml`);
  stops.push(exp.stop);
  const dev = (id, port, snmp) => ({
    id,
    host: '127.0.0.1',
    port,
    driver: 'snmp',
    snmp: { timeout: '10s', ...snmp },
  });
  const v3 = snmpdV3();
  /** snmp_exporter scraping one agent with one module of its snmp.yml. */
  const exporterOn = (port, module, where = '') =>
    exporter(`snmp_exporter ${module}${where}`, exp.port, exp.pid, `127.0.0.1:${port}`, module);
  const rows = [
    // First, while nothing is compiled yet: what the old version of this benchmark measured.
    await ours(
      'ours ios full walk, polls 2-21 (JIT)',
      dev('ios', sim.port, { version: '2c', community: 'ios' }),
      true,
      1,
      20,
    ),
    await ours(
      'ours ios (snmpsim) full walk',
      dev('ios', sim.port, { version: '2c', community: 'ios' }),
      true,
    ),
    await ours(
      'ours ios (snmpsim) steady (cached names)',
      dev('ios', sim.port, { version: '2c', community: 'ios' }),
      false,
    ),
    await ours(
      'ours snmpd v2c full walk',
      dev('snmpd', snmpd.port, { version: '2c', community: snmpdCreds.community }),
      true,
    ),
    await ours('ours snmpd v3 SHA/AES full walk', dev('snmpd3', snmpd.port, v3), true),
    await bulkwalk('snmpbulkwalk -Cr50 ios (snmpsim)', sim.port, 'ios'),
    await bulkwalk('snmpbulkwalk -Cr50 snmpd v2c', snmpd.port, snmpdCreds.community),
    await exporterOn(sim.port, 'if_mib_ios', ' (snmpsim)'),
    await exporterOn(snmpd.port, 'if_mib_snmpd_v2c'),
    // Round trips per poll once a driver has polled the agent before: SNMPv3 engine ID, boots and
    // time are cached per device (#19), so a v3 poll sends as many datagrams as a v2c one.
    await ours(
      'ours snmpd v2c steady',
      dev('snmpd', snmpd.port, { version: '2c', community: snmpdCreds.community }),
      false,
    ),
    await ours('ours snmpd v3 SHA/AES steady', dev('snmpd3', snmpd.port, v3), false),
  ];
  // The #19 figure: both sides in processes of their own, CPU from the kernel at µs resolution,
  // alternating batches in the same minutes (bench/snmp/paired.mjs says how and why).
  const paired = await pairedIos(sim.port, 'ios', {
    repeats: process.env.BENCH_QUICK ? 3 : 9,
    walks: process.env.BENCH_QUICK ? 5 : 20,
    polls: process.env.BENCH_QUICK ? 10 : 40,
  });
  console.log(
    `\nSNMP client CPU per varbind (ours: ${WARMUP} warm-up + ${OUR_ROUNDS} polls; peers: ${ROUNDS} rounds)\n`,
  );
  console.log(
    [
      'client / target'.padEnd(44),
      'varbinds'.padStart(9),
      'CPU s'.padStart(8),
      'CPU s/1k vb'.padStart(12),
      'vb/s/core'.padStart(11),
      'CPU ms/poll'.padStart(12),
    ].join(' '),
  );
  for (const r of rows) {
    console.log(
      [
        r.label.padEnd(44),
        String(r.varbinds).padStart(9),
        r.cpuS.toFixed(3).padStart(8),
        perK(r).toFixed(4).padStart(12),
        Math.round(perSec(r)).toString().padStart(11),
        (r.polls ? ((r.cpuS / r.polls) * 1000).toFixed(2) : '').padStart(12),
        r.note ?? '',
      ].join(' '),
    );
  }
  const [oursFirst, oursIos, oursSteady, oursD2, oursD3, bwIos, bwD2, expIos, expD2, steadyD2, steadyD3] =
    rows;
  const perPoll = (r) => +(r.datagrams / r.polls).toFixed(2);
  const figures = {
    ours_ios_cpu_s_per_1k_varbinds: perK(oursIos),
    ours_ios_varbinds_per_cpu_s: perSec(oursIos),
    ours_ios_first_polls_varbinds_per_cpu_s: perSec(oursFirst),
    ours_ios_steady_cpu_s_per_1k_varbinds: perK(oursSteady),
    ours_ios_steady_varbinds_per_cpu_s: perSec(oursSteady),
    ours_ios_full_cpu_ms_per_poll: (oursIos.cpuS / oursIos.polls) * 1000,
    ours_ios_steady_cpu_ms_per_poll: (oursSteady.cpuS / oursSteady.polls) * 1000,
    ours_snmpd_v3_varbinds_per_cpu_s: perSec(oursD3),
    ours_snmpd_v2c_cpu_s_per_1k_varbinds: perK(oursD2),
    ours_snmpd_v3_cpu_s_per_1k_varbinds: perK(oursD3),
    ours_snmpd_v2c_varbinds_per_cpu_s: perSec(oursD2),
    ours_snmpd_v3_full_walk_datagrams_per_poll: perPoll(oursD3),
    ours_snmpd_v2c_full_walk_datagrams_per_poll: perPoll(oursD2),
    ours_snmpd_v3_steady_datagrams_per_poll: perPoll(steadyD3),
    ours_snmpd_v2c_steady_datagrams_per_poll: perPoll(steadyD2),
    ours_snmpd_v3_steady_cpu_s_per_1k_varbinds: perK(steadyD3),
  };
  const reference = {
    snmpbulkwalk_ios_cpu_s_per_1k_varbinds: perK(bwIos),
    snmpbulkwalk_snmpd_cpu_s_per_1k_varbinds: perK(bwD2),
    exporter_ios_cpu_s_per_1k_varbinds: perK(expIos),
    exporter_snmpd_cpu_s_per_1k_varbinds: perK(expD2),
  };
  figures.ours_ios_paired_us_per_varbind = paired.ours;
  reference.snmpbulkwalk_ios_paired_us_per_varbind = paired.c;
  const ratios = {
    ours_vs_exporter_ios: perK(oursIos) / perK(expIos),
    // Median over the paired rounds (spread in ours_vs_snmpbulkwalk_ios_spread); the in-process
    // table rows give ours_vs_snmpbulkwalk_ios_table, from the rows above.
    ours_vs_snmpbulkwalk_ios: paired.ratio.median,
    ours_vs_snmpbulkwalk_ios_spread: paired.ratio,
    ours_vs_snmpbulkwalk_ios_table: perK(oursIos) / perK(bwIos),
    ours_vs_exporter_snmpd: perK(oursD2) / perK(expD2),
  };
  const goals = {
    at_or_below_exporter_cpu_per_varbind: ratios.ours_vs_exporter_ios <= 1,
    at_least_100k_varbinds_per_s_per_core: perSec(oursIos) >= 100_000,
    at_least_100k_steady: perSec(oursSteady) >= 100_000,
    at_least_100k_v3: perSec(oursD3) >= 100_000,
    v3_round_trips_per_poll_equal_v2c: perPoll(steadyD3) === perPoll(steadyD2),
    at_most_1_5x_snmpbulkwalk_ios: paired.ratio.median <= 1.5,
  };
  printPaired(paired);
  console.log(
    '\nratios:',
    JSON.stringify(ratios),
    '\ngoals:',
    JSON.stringify(goals),
    `\nload average: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`BENCH_RESULT ${JSON.stringify({ name: 'snmp', figures, reference, ratios, goals })}`);
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => {});
}
