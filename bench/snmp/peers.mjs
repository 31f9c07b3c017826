// Peers of the SNMP benchmark: snmpsim (ios.snmprec), snmpd and prometheus-snmp-exporter, each in a
// temp directory on a free loopback port, as `nobody` where the tool drops privileges. snmpsim and
// snmpd are started by test/support/snmp-peers.mjs, the same code the SNMP tests use.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { startSnmpsim as startSnmpsimIn, stopChild } from '../../test/support/snmp-peers.mjs';

export { freeUdpPort, snmpdCreds, snmpdV3, startSnmpd } from '../../test/support/snmp-peers.mjs';

export async function freeTcpPort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** snmpsimd serving one recording of `snmprecDir` (its community: the file name). */
export function startSnmpsim(snmprecDir, community) {
  return startSnmpsimIn(snmprecDir, [community]);
}

export async function startExporter(configFile) {
  const port = await freeTcpPort();
  const child = spawn(
    '/usr/bin/prometheus-snmp-exporter',
    [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error('snmp exporter did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  return { port, pid: child.pid, stop: () => stopChild(child) };
}
