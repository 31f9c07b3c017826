// Simulator benchmark: is the simulated fleet cheap enough that a fleet benchmark measures the
// poller, not the simulator? Two figures, each with a reference:
//  1. in process, no sockets: CPU per varbind of answering GetBulk walks of a 24-port MikroTik
//     profile (dynamic counters encoded per request) and of ios.snmprec (static values);
//  2. over UDP, the simulator in a child process (the CLI) serving ios.snmprec to `snmpbulkwalk
//     -Cr50`, against snmpsimd serving the same file to the same client: server CPU per varbind,
//     read from /proc/<pid>/stat.
// Not a test: it asserts nothing, prints a table and, last, `BENCH_RESULT {json}`.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { getProfile, handleDatagram, loadSnmprec, profileView, SimDevice } from '@ispmonitor/simulator';
import { emptyStats } from '../packages/simulator/dist/agent.js';
import { startSnmpsim } from './snmp/peers.mjs';

const run = promisify(execFile);
const quick = !!process.env.BENCH_QUICK;
const root = fileURLToPath(new URL('..', import.meta.url));
const data = join(root, '../shared/data/snmprec');
const CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat counts CPU in these ticks

// --- a GetBulk request, encoded by hand (the benchmark must not trust the code it measures) ---
function tlv(tag, ...parts) {
  const c = Buffer.concat(parts);
  const len = c.length < 128 ? Buffer.from([c.length]) : Buffer.from([0x82, c.length >> 8, c.length & 255]);
  return Buffer.concat([Buffer.from([tag]), len, c]);
}
const int = (v) => tlv(0x02, Buffer.from(v < 128 ? [v] : [v >> 8, v & 255]));
function oidBytes(text) {
  const a = text.split('.').map(Number);
  const out = [a[0] * 40 + a[1]];
  for (const n of a.slice(2)) {
    const b = [n & 127];
    for (let v = n >>> 7; v > 0; v >>>= 7) b.unshift((v & 127) | 128);
    out.push(...b);
  }
  return tlv(0x06, Buffer.from(out));
}
function getBulk(oid, community, maxRep) {
  const vb = tlv(0x30, tlv(0x30, oidBytes(oid), Buffer.from([5, 0])));
  return tlv(0x30, int(1), tlv(0x04, Buffer.from(community)), tlv(0xa5, int(7), int(0), int(maxRep), vb));
}
/** Last OID of a response, to continue the walk (just enough BER to find it). */
function lastOid(reply) {
  let p = 0;
  const read = () => {
    const tag = reply[p++];
    let len = reply[p++];
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + reply[p++];
    }
    return { tag, start: p, end: p + len };
  };
  read(); // message
  p = read().end; // version
  p = read().end; // community
  read(); // pdu
  for (let i = 0; i < 3; i++) p = read().end;
  const list = read();
  let last;
  let endOfView = false;
  while (p < list.end) {
    const vb = read();
    const name = read();
    last = reply.subarray(name.start, name.end);
    p = name.end;
    const value = read();
    endOfView ||= value.tag === 0x82;
    p = vb.end;
  }
  return { last, endOfView };
}
function decodeOid(b) {
  const out = [Math.floor(b[0] / 40), b[0] % 40];
  let v = 0;
  for (const x of b.subarray(1)) {
    v = v * 128 + (x & 127);
    if (!(x & 128)) {
      out.push(v);
      v = 0;
    }
  }
  return out.join('.');
}

/** In-process walks: µs of CPU per varbind answered. */
function inProcess(label, served, rounds) {
  const stats = emptyStats();
  const walk = () => {
    let oid = '1.0';
    for (;;) {
      const out = handleDatagram(getBulk(oid, served.community.toString(), 50), served, Date.now(), stats);
      const { last, endOfView } = lastOid(out.reply);
      if (endOfView || !last) return;
      oid = decodeOid(last);
    }
  };
  // Warm-up until the JIT has settled, so --quick measures the same steady state as a full run.
  for (let i = 0; i < 50; i++) walk();
  stats.varbinds = 0;
  const c0 = process.cpuUsage();
  for (let i = 0; i < rounds; i++) walk();
  const c = process.cpuUsage(c0);
  const us = (c.user + c.system) / stats.varbinds;
  console.log(
    `${label.padEnd(34)} ${String(stats.varbinds).padStart(9)} varbinds  ${us.toFixed(3)} µs/varbind  ${Math.round(1e6 / us)} varbinds/s/core`,
  );
  return us;
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime (fields 14 and 15)
}

/** `walks` snmpbulkwalk runs (2 at a time) against a server; its CPU per varbind. */
async function overUdp(label, pid, port, community, walks) {
  const once = async () => {
    const { stdout } = await run(
      '/usr/bin/snmpbulkwalk',
      ['-v2c', '-c', community, '-Cr50', '-On', '-Ox', `127.0.0.1:${port}`, '.1'],
      {
        maxBuffer: 1 << 26,
        env: { ...process.env, MIBS: '', MIBDIRS: '/nonexistent' },
      },
    );
    return stdout.split('\n').filter((l) => /^\.[\d.]+ = /.test(l)).length;
  };
  // Warm-up: snmpsim builds its index on first use; our child process needs its JIT warm.
  for (let i = 0; i < 3; i++) await once();
  let varbinds = 0;
  const t0 = cpuTicks(pid);
  const w0 = performance.now();
  for (let i = 0; i < walks; i += 2) {
    const n = await Promise.all([once(), ...(i + 1 < walks ? [once()] : [])]);
    varbinds += n.reduce((a, b) => a + b, 0);
  }
  const cpuS = (cpuTicks(pid) - t0) / CLK_TCK;
  const us = (cpuS * 1e6) / varbinds;
  console.log(
    `${label.padEnd(34)} ${String(varbinds).padStart(9)} varbinds  ${us.toFixed(2)} µs/varbind server CPU  (${cpuS.toFixed(2)} CPU-s, ${((performance.now() - w0) / 1000).toFixed(1)} s wall)`,
  );
  return us;
}

/** The simulator CLI in a child process, serving one recording. */
async function startSim(file) {
  const child = spawn(process.execPath, [join(root, 'packages/simulator/dist/cli.js'), '--snmprec', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /^READY (.*)$/m.exec(buf);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`simulator exited ${code}`)));
  });
  const dev = JSON.parse(line).devices[0];
  return { pid: child.pid, port: dev.port, community: dev.community, stop: () => child.kill('SIGTERM') };
}

// --- 1. in process ---
const mt = getProfile('mikrotik');
const sim = new SimDevice({
  id: 'bench',
  sysName: 'bench',
  layout: mt.layout(24),
  seed: 1,
  startMs: Date.now(),
  faults: {},
  cpuCount: mt.cpuCount,
  memTotalBytes: mt.memTotalBytes,
});
const mikrotik = { id: 'bench', sim, view: profileView(mt, 24), community: Buffer.from('public') };
const rounds = quick ? 200 : 1000;
console.log('in process (no sockets), GetBulk max-repetitions 50, whole view:');
const usMikrotik = inProcess('mikrotik profile, 24 ports', mikrotik, rounds);
let usIos;
const haveData = existsSync(join(data, 'ios.snmprec'));
if (haveData) {
  const rec = await loadSnmprec(join(data, 'ios.snmprec'));
  const empty = new SimDevice({
    id: 'ios',
    sysName: 'ios',
    layout: [],
    seed: 1,
    startMs: Date.now(),
    faults: {},
    cpuCount: 1,
    memTotalBytes: 0,
  });
  usIos = inProcess(
    'ios.snmprec (static values)',
    { id: 'ios', sim: empty, view: rec.view, community: Buffer.from('ios') },
    rounds,
  );
} else console.log(`skipped recordings: ${data} is absent`);

// --- 2. over UDP, side by side with snmpsimd ---
let usUdp;
let usSnmpsim;
const tools = existsSync('/usr/bin/snmpbulkwalk') && existsSync('/usr/bin/snmpsimd');
if (haveData && tools) {
  console.log('\nover UDP, snmpbulkwalk -Cr50 of ios.snmprec (2 walks in flight):');
  const ours = await startSim(join(data, 'ios.snmprec'));
  try {
    usUdp = await overUdp(
      'ispmonitor-sim (child process)',
      ours.pid,
      ours.port,
      ours.community,
      quick ? 20 : 100,
    );
  } finally {
    ours.stop();
  }
  const ref = await startSnmpsim(data, 'ios');
  try {
    usSnmpsim = await overUdp('snmpsimd 0.4 (Python)', ref.pid, ref.port, 'ios', quick ? 4 : 10);
  } finally {
    await ref.stop();
  }
} else
  console.log(
    `\nskipped the UDP comparison: ${haveData ? 'snmpbulkwalk or snmpsimd missing (Debian snmp, snmpsim)' : 'no recordings'}`,
  );

const figures = {
  inproc_mikrotik_us_per_varbind: +usMikrotik.toFixed(3),
  inproc_mikrotik_varbinds_per_s_per_core: Math.round(1e6 / usMikrotik),
  ...(usIos !== undefined ? { inproc_snmprec_us_per_varbind: +usIos.toFixed(3) } : {}),
  ...(usUdp !== undefined
    ? { udp_us_per_varbind: +usUdp.toFixed(2), udp_varbinds_per_s_per_core: Math.round(1e6 / usUdp) }
    : {}),
};
const reference = {
  ...(usSnmpsim !== undefined
    ? { udp_us_per_varbind: +usSnmpsim.toFixed(2), udp_varbinds_per_s_per_core: Math.round(1e6 / usSnmpsim) }
    : {}),
  // TOOLCHAIN.md: net-snmp (the poller's library) spends 2–3 µs of client CPU per varbind.
  poller_client_us_per_varbind: 2.5,
};
const ratios = {
  ...(usSnmpsim !== undefined ? { udp_us_per_varbind: +(usUdp / usSnmpsim).toFixed(3) } : {}),
  ...(usUdp !== undefined ? { simulator_vs_poller_cpu: +(usUdp / 2.5).toFixed(2) } : {}),
};
const goals = {
  // The simulator must cost the machine less than the poller it feeds.
  udp_us_per_varbind: '<= 2.5',
  inproc_mikrotik_us_per_varbind: '<= 1',
};
console.log(`BENCH_RESULT ${JSON.stringify({ name: 'simulator', figures, reference, ratios, goals })}`);
