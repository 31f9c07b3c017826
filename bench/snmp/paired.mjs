// Our driver against C net-snmp `snmpbulkwalk`, CPU per varbind on the ios recording, measured in
// turn in the same minutes (issue #19). Each of REPEATS rounds runs one batch of each side:
//
// - C: bench/snmp/rusage.py runs WALKS pairs of processes, `snmpbulkwalk -v2c -Cr50 -On` of `.1`
//   (every varbind formatted and printed to a pipe) and a one-object walk (its start-up: loading
//   libnetsnmp and OpenSSL, reading snmp.conf, the MIB directory), interleaved, and reads each
//   child's CPU from wait4(2) at microsecond resolution. Walk cost = sum(full) − sum(start-up).
// - ours: bench/snmp/ours-child.mjs, a warm process of its own, runs POLLS full-walk polls
//   (a new driver per poll) and reports process.cpuUsage() over them — getrusage(2) of that
//   process, microseconds, all threads, system time included, like wait4's figure for C.
//
// Neither side's start-up is in its figure; both pay for the kernel's UDP work and for using the
// data (C prints every varbind; our poll builds the samples and inventory). Each round gives a
// µs-per-varbind figure per side and their ratio; the summary is median, min and max over rounds.
// Standalone: `node bench/snmp/paired.mjs` (starts its own snmpsim). DRIVER= as in loop.mjs.
import { execFile, fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = (f) => fileURLToPath(new URL(f, import.meta.url));

/** Median, min and max of a list of numbers. */
export function spread(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length };
}

/** One batch of C walks: µs of CPU per varbind, start-up subtracted. */
export async function cBatch(port, community, walks) {
  const walk = (oid) => ['snmpbulkwalk', '-v2c', '-Cr50', '-On', '-c', community, `127.0.0.1:${port}`, oid];
  const { stdout } = await run(
    'python3',
    [here('./rusage.py'), String(walks), '--', ...walk('.1'), '---', ...walk('.1.3.6.1.2.1.1.2')],
    { env: { ...process.env, MIBS: '' }, maxBuffer: 16 * 1024 * 1024 },
  );
  const [full, empty] = JSON.parse(stdout).runs;
  const bad = [...full, ...empty].find((r) => r.rc !== 0);
  if (bad) throw new Error(`snmpbulkwalk exited with ${bad.rc}`);
  const sum = (rs, k) => rs.reduce((a, r) => a + r[k], 0);
  const varbinds = sum(full, 'lines');
  const walkUs = sum(full, 'cpu_us') - sum(empty, 'cpu_us');
  return { usPerVarbind: walkUs / varbinds, varbinds, startupUs: sum(empty, 'cpu_us') / walks };
}

/**
 * Starts the driver's process; resolves once it is warm. `driver`: a build's dist to load instead
 * of this one (`null`: this one even when DRIVER is set; omitted: DRIVER as the environment says).
 */
export async function startOurs(port, community, warmup, driver) {
  const env = { ...process.env };
  if (driver) env.DRIVER = driver;
  else if (driver === null) delete env.DRIVER;
  const child = fork(here('./ours-child.mjs'), [String(port), community, 'cold', String(warmup)], {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let waiting;
  child.on('message', (m) => waiting?.(m));
  child.on('exit', (code) => waiting?.({ error: `driver process exited with ${code}` }));
  const next = () => new Promise((resolve) => (waiting = resolve));
  const ready = await next();
  if (ready.error) throw new Error(ready.error);
  return {
    async batch(polls) {
      const reply = next();
      child.send({ polls });
      const r = await reply;
      if (r.error) throw new Error(r.error);
      return { usPerVarbind: r.cpuUs / r.varbinds, varbinds: r.varbinds, requests: r.requests };
    },
    stop: () => child.kill(),
  };
}

/**
 * Runs the paired measurement against an agent serving the ios recording on `port`. Returns the
 * per-round figures and their spread.
 */
export async function pairedIos(port, community, opts = {}) {
  const repeats = opts.repeats ?? 7;
  const walks = opts.walks ?? 20;
  const polls = opts.polls ?? 40;
  const ours = await startOurs(port, community, opts.warmup ?? 30);
  const rounds = [];
  try {
    for (let i = 0; i < repeats; i++) {
      const load = loadavg()[0];
      // Alternate which side goes first, so a trend in the machine's load favours neither.
      const c = i % 2 === 0 ? await cBatch(port, community, walks) : undefined;
      const o = await ours.batch(polls);
      const c2 = c ?? (await cBatch(port, community, walks));
      rounds.push({ c: c2, ours: o, ratio: o.usPerVarbind / c2.usPerVarbind, load });
    }
  } finally {
    ours.stop();
  }
  const c = spread(rounds.map((r) => r.c.usPerVarbind));
  const o = spread(rounds.map((r) => r.ours.usPerVarbind));
  const ratio = spread(rounds.map((r) => r.ratio));
  return {
    rounds,
    c,
    ours: o,
    ratio,
    config: { repeats, walks, polls },
    varbindsPerWalk: { c: rounds[0].c.varbinds / walks, ours: rounds[0].ours.varbinds / polls },
    requestsPerPoll: rounds[0].ours.requests / polls,
    cStartupUs: spread(rounds.map((r) => r.c.startupUs)),
  };
}

const fmt = (s, d = 2) => `${s.median.toFixed(d)} (min ${s.min.toFixed(d)}, max ${s.max.toFixed(d)})`;

/** Prints the rounds and the summary lines. */
export function printPaired(p) {
  console.log(
    `\nours vs snmpbulkwalk, ios, µs CPU per varbind, ${p.config.repeats} rounds in turn ` +
      `(C: ${p.config.walks} walks + ${p.config.walks} start-ups a round, wait4; ours: ${p.config.polls} ` +
      `full-walk polls a round, getrusage)`,
  );
  for (const [i, r] of p.rounds.entries()) {
    console.log(
      `  round ${i + 1}: C ${r.c.usPerVarbind.toFixed(2)}  ours ${r.ours.usPerVarbind.toFixed(2)}  ` +
        `ratio ${r.ratio.toFixed(2)}  (load ${r.load.toFixed(2)})`,
    );
  }
  console.log(`  C    median ${fmt(p.c)} µs/varbind; ${p.varbindsPerWalk.c} varbinds a walk`);
  console.log(
    `  ours median ${fmt(p.ours)} µs/varbind; ${p.varbindsPerWalk.ours} varbinds, ${p.requestsPerPoll} requests a poll`,
  );
  console.log(`  ratio median ${fmt(p.ratio)} (goal ≤ 1.5)`);
  console.log(`  C start-up (subtracted) ${fmt(p.cStartupUs, 0)} µs a process`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { startSnmpsim } = await import('./peers.mjs');
  const data = fileURLToPath(new URL('../../../shared/data', import.meta.url));
  const sim = await startSnmpsim(`${data}/snmprec`, 'ios');
  try {
    const p = await pairedIos(sim.port, 'ios', {
      repeats: Number(process.env.REPEATS ?? 7),
      walks: Number(process.env.WALKS ?? 20),
      polls: Number(process.env.POLLS ?? 40),
    });
    printPaired(p);
    const result = {
      name: 'snmp-paired',
      figures: { ours_ios_us_per_varbind: p.ours },
      reference: { snmpbulkwalk_ios_us_per_varbind: p.c },
      ratios: { ours_vs_snmpbulkwalk_ios: p.ratio },
      goals: { ours_vs_snmpbulkwalk_ios_at_most_1_5: p.ratio.median <= 1.5 },
      load: loadavg(),
    };
    console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
  } finally {
    await sim.stop();
  }
}
