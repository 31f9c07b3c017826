// Repeated polls of one target with this driver, for profiling (`node --cpu-prof bench/snmp/loop.mjs`)
// and quick before/after checks. Not a test. MODE = ios-cold | ios-steady | v2c | v3; ROUNDS = polls.
// WARMUP = polls before measuring (default 5). DRIVER = path of another build of the package (a before/after reference run in turn with this one).
// Prints varbinds per CPU-second of this process, with the load average.
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { pollerFor } from '../support/poll.mjs';
import { silent } from '../support/silent.mjs';
import { snmpdCreds, snmpdV3, startSnmpd, startSnmpsim } from './peers.mjs';

const { createSnmpDriver } = await import(process.env.DRIVER ?? '@ispmonitor/plugin-snmp');
const MODE = process.env.MODE ?? 'ios-cold';
const ROUNDS = Number(process.env.ROUNDS ?? 200);
const data = fileURLToPath(new URL('../../../shared/data', import.meta.url));

const peer = MODE.startsWith('ios') ? await startSnmpsim(`${data}/snmprec`, 'ios') : await startSnmpd();
try {
  const snmp = MODE.startsWith('ios')
    ? { version: '2c', community: 'ios' }
    : MODE === 'v2c'
      ? { version: '2c', community: snmpdCreds.community }
      : snmpdV3();
  const device = {
    id: 'd',
    host: '127.0.0.1',
    port: peer.port,
    driver: 'snmp',
    snmp: { timeout: '10s', ...snmp },
  };
  const cold = MODE !== 'ios-steady';
  let driver = createSnmpDriver();
  let poller = pollerFor(driver, device);
  const poll = () => poller({ signal: AbortSignal.timeout(60_000), logger: silent });
  for (let i = 0; i < Number(process.env.WARMUP ?? 5); i++) await poll(); // warm-up (JIT)
  let varbinds = 0;
  let requests = 0;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) {
    if (cold) {
      driver = createSnmpDriver();
      poller = pollerFor(driver, device);
    }
    const before = { ...driver.stats };
    const r = await poll();
    if (r.error) throw new Error(`${r.error.code} ${r.error.message}`);
    varbinds += driver.stats.varbinds - before.varbinds;
    requests += driver.stats.requests - before.requests;
  }
  const cpu = process.cpuUsage(cpu0);
  const s = (cpu.user + cpu.system) / 1e6;
  console.log(
    `${process.env.DRIVER ? 'ref ' : ''}${MODE}: ${ROUNDS} polls, ${varbinds / ROUNDS} varbinds and ${requests / ROUNDS} requests a poll, ` +
      `${s.toFixed(3)} CPU-s, ${Math.round(varbinds / s)} varbinds/s per core, ` +
      `${((s / ROUNDS) * 1000).toFixed(2)} ms a poll; load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
} finally {
  await peer.stop();
}
