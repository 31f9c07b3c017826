// The driver side of bench/snmp/paired.mjs, in a process of its own (so nothing else the benchmark
// does — peers, other rows, its own bookkeeping — is in the figure). Started with the target in
// argv; warms up (JIT, as a poller that runs for hours is), then answers each IPC message
// {polls: N} by running N full-walk polls (a new driver each: names, speeds and counters) and
// replying {cpuUs, varbinds, requests, polls}. CPU is process.cpuUsage(): getrusage(RUSAGE_SELF),
// user + system, every thread of the process, microseconds — the same kernel accounting wait4(2)
// gives the C tool's process in bench/snmp/rusage.py. While waiting for a message it is idle.
import { pollerFor } from '../support/poll.mjs';
import { silent } from '../support/silent.mjs';

const [port, community, mode = 'cold', warmup = '30'] = process.argv.slice(2);
const { createSnmpDriver } = await import(process.env.DRIVER ?? '@ispmonitor/plugin-snmp');
const device = {
  id: 'ios',
  host: '127.0.0.1',
  port: Number(port),
  driver: 'snmp',
  snmp: { timeout: '10s', version: '2c', community },
};
let driver = createSnmpDriver();
let poll = pollerFor(driver, device);
const cold = mode === 'cold';
// Settings are parsed once, as core does when a device is added; a full walk is a new driver.
const settings = driver.settings?.parse(device.snmp);

async function one() {
  if (cold) {
    driver = createSnmpDriver();
    poll = settings ? (ctx) => driver.poll(device, settings, ctx) : pollerFor(driver, device);
  }
  const before = { ...driver.stats };
  const r = await poll({ signal: AbortSignal.timeout(60_000), logger: silent });
  if (r.error) throw new Error(`${r.error.code} ${r.error.message}`);
  return {
    varbinds: driver.stats.varbinds - before.varbinds,
    requests: driver.stats.requests - before.requests,
  };
}

for (let i = 0; i < Number(warmup); i++) await one();

process.on('message', async (msg) => {
  try {
    let varbinds = 0;
    let requests = 0;
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < msg.polls; i++) {
      const got = await one();
      varbinds += got.varbinds;
      requests += got.requests;
    }
    const cpu = process.cpuUsage(cpu0);
    process.send({ cpuUs: cpu.user + cpu.system, varbinds, requests, polls: msg.polls });
  } catch (err) {
    process.send({ error: String(err?.message ?? err) });
  }
});
process.send({ ready: true });
