import { createServer, type Server } from 'node:http';
import { createMonitor, type Monitor, tokens } from '@ispmonitor/core';
import { alerts } from '@ispmonitor/plugin-alerts';
import { mikrotik } from '@ispmonitor/plugin-mikrotik';
import { postgres } from '@ispmonitor/plugin-postgres';
import { snmp } from '@ispmonitor/plugin-snmp';
import { startRouterOsFleet, startSnmpFleet } from '@ispmonitor/simulator';

/** What the application saw, for its caller (and its test). */
export interface AppReport {
  statuses: Record<string, string>;
  /** Alerts our own endpoint received, as `alertname/device/ifName`. */
  received: string[];
  /** Inbound traffic of one interface read back from storage, bits per second. */
  trafficBps: Array<[ts: number, bps: number]>;
}

/** Our own endpoint: where the alerts plugin posts (Alertmanager-style webhook JSON). */
async function startEndpoint(received: string[]): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        const payload = JSON.parse(body) as {
          alerts: Array<{ status: string; labels: Record<string, string> }>;
        };
        for (const a of payload.alerts) {
          if (a.status === 'firing')
            received.push(`${a.labels.alertname}/${a.labels.device}/${a.labels.ifName ?? ''}`);
        }
      } catch {
        // Not JSON: ignore it, and say so.
        res.statusCode = 400;
      }
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/alerts` };
}

/**
 * An application that uses ISP Monitor as a library: it starts two simulated routers (one SNMP,
 * one RouterOS API), assembles a monitor in code (SNMP + MikroTik + storage + alerts), reacts to
 * events, receives an interface-down alert on its own endpoint, and reads traffic back from
 * storage. Runs for `seconds`, then stops everything.
 */
export async function runApp(seconds: number, log: (line: string) => void = console.log): Promise<AppReport> {
  const received: string[] = [];
  const endpoint = await startEndpoint(received);
  // ether3 of the SNMP router loses its link 4 s in.
  const snmpFleet = await startSnmpFleet({
    count: 1,
    profile: 'mikrotik',
    interfaces: 8,
    community: 'demo-ro',
    faults: { linkDown: [{ ifIndex: 3, atMs: 4000 }] },
  });
  const rosFleet = await startRouterOsFleet({ count: 1, username: 'monitor', password: 'demo-pass' });
  const sim = snmpFleet.devices[0]!;

  const monitor: Monitor = await createMonitor({
    plugins: [
      snmp(),
      mikrotik(),
      postgres({ memory: true }),
      alerts({
        rules: [
          {
            name: 'InterfaceDown',
            metric: 'interface_oper_up{ifName=~"ether.*"}',
            op: '==',
            threshold: 0,
            severity: 'warning',
          },
        ],
        routes: { receiver: 'app', group_by: ['alertname', 'device'], group_wait: '1s' },
        receivers: [{ name: 'app', webhook: [{ url: endpoint.url, allowLoopback: true }] }],
      }),
    ],
    devices: [
      {
        id: 'snmp-router',
        host: sim.host,
        port: sim.port,
        driver: 'snmp',
        interval: '2s',
        labels: { site: 'LAB' },
        snmp: { version: '2c', community: sim.community },
      },
      {
        id: 'ros-router',
        host: '127.0.0.1',
        port: rosFleet.ports[0],
        driver: 'mikrotik',
        interval: '2s',
        labels: { site: 'LAB' },
        mikrotik: { username: 'monitor', password: 'demo-pass', tls: false },
      },
    ],
    secrets: ['demo-pass', 'demo-ro'],
    logLevel: 'warn',
  });

  monitor.bus.on('device:status', (e) => log(`${e.device.id}: ${e.previous} → ${e.status}`));
  monitor.bus.on('alert:firing', (e) =>
    log(`alert firing: ${e.alert.labels.alertname} on ${e.alert.labels.device}`),
  );

  await monitor.start();
  try {
    await new Promise((r) => setTimeout(r, seconds * 1000));
    // Read back: the inbound traffic of ether1 over the run, as a rate in bits per second.
    const now = Date.now();
    const series = await monitor.resolve(tokens.SampleQuery).range({
      name: 'interface_in_octets_total',
      labels: { device: 'snmp-router', ifName: 'ether1' },
      from: now - seconds * 1000,
      to: now,
      step: 2000,
      fn: 'rate',
    });
    const trafficBps = (series[0]?.points ?? []).map(([ts, v]) => [ts, v * 8] as [number, number]);
    const statuses = Object.fromEntries(monitor.devices.list().map((s) => [s.device.id, s.status]));
    return { statuses, received, trafficBps };
  } finally {
    await monitor.stop();
    await Promise.all([snmpFleet.close(), rosFleet.close()]);
    await new Promise((r) => endpoint.server.close(r));
  }
}
