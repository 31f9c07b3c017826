import { type Device, loadConfig, type Monitor } from '@ispmonitor/core';
import {
  createDemoFleet,
  type DemoFleet,
  type RouterOsFleet,
  startRouterOsFleet,
} from '@ispmonitor/simulator';
import type { Command } from 'commander';
import { assemble } from '../assemble.js';
import { exitOnSignals, type RunningServer, runServer } from '../run-server.js';
import { parseServerConfig } from '../server-config.js';
import { CliError, ExitCode } from './exit-codes.js';

/** The login the demo prints: a demo is for looking around, not for production. */
export const DEMO_LOGIN = { username: 'admin', password: 'ispmonitor-demo' } as const;

export interface DemoOptions {
  /** Simulated SNMP routers. Default 12. */
  routers?: number;
  /** PGlite data folder; default in memory (nothing kept after the demo). */
  dataDir?: string;
  apiPort?: number;
  metricsPort?: number;
  host?: string;
  /** Poll interval of the simulated routers. */
  interval?: string;
  print?: (line: string) => void;
}

/** A running demo: simulated routers, the monitor with embedded storage, API and metrics. */
export interface Demo {
  /** Base URL of the API (and of the web UI when it is built). */
  url: string;
  username: string;
  password: string;
  fleet: DemoFleet;
  server: RunningServer;
  monitor: Monitor;
  stop(): Promise<void>;
  /** Same as `stop`. */
  close(): Promise<void>;
}

/** The PPPoE/DHCP routers of the demo: emulated RouterOS API routers, one per big site. */
const BNGS = [
  {
    id: 'bey-bng-1',
    site: 'BEY',
    parent: 'bey-core-1',
    location: { lat: 33.8962, lon: 35.5101, address: 'Beirut POP' },
  },
  {
    id: 'trp-bng-1',
    site: 'TRP',
    parent: 'bey-core-2',
    location: { lat: 34.4331, lon: 35.8442, address: 'Tripoli POP' },
  },
];
const BNG_USER = { username: 'monitor', password: 'demo-api-password' };

/** Starts the RouterOS routers; the plain API is fine on loopback (no TLS to set up for a demo). */
async function startBngs(interval: string): Promise<{ fleet: RouterOsFleet; devices: Device[] }> {
  const fleet = await startRouterOsFleet({
    count: BNGS.length,
    ...BNG_USER,
    // Subscribers, so the sessions, leases and wireless pages have something to show.
    pppSessions: 120,
    leases: 80,
    wirelessClients: 15,
    bgpPeers: 2,
  });
  const devices = BNGS.map((b, i) => ({
    id: b.id,
    name: b.id.toUpperCase(),
    host: '127.0.0.1',
    port: fleet.ports[i] as number,
    driver: 'mikrotik',
    interval,
    // The emulated BNG's first port (ether1) faces its core router.
    labels: { site: b.site, role: 'bng', uplinks: 'ether1' },
    parent: b.parent,
    location: b.location,
    mikrotik: { ...BNG_USER, tls: false },
  }));
  return { fleet, devices };
}

/** Alert rules of the demo: the ISP pack, plus fast rules so something fires within a minute. */
const DEMO_ALERTS = {
  evaluationInterval: '5s',
  pack: { isp: true },
  rules: [
    {
      name: 'DemoCpuHigh',
      metric: 'device_cpu_load_ratio',
      op: '>',
      threshold: 0.9,
      for: '5s',
      severity: 'warning',
      annotations: { summary: 'CPU of {{ device }} at {{ value | percent }}' },
    },
    {
      name: 'DemoDeviceDown',
      kind: 'device_status',
      status: ['unreachable', 'offline'],
      for: '5s',
      severity: 'critical',
      deviceDown: true,
      annotations: { summary: '{{ device }} is not answering' },
    },
  ],
};

/**
 * `npm start`: a simulated ISP (SNMP routers on loopback, with a CPU spike, a link going down and
 * a router dying within the first minute), polled by the monitor, stored in an in-memory PGlite.
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const print = options.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const interval = options.interval ?? '5s';
  const fleet = await createDemoFleet({ snmpDevices: options.routers ?? 12, interval });
  let bngs: Awaited<ReturnType<typeof startBngs>> | undefined;
  try {
    bngs = await startBngs(interval);
    const { config, secrets } = await loadConfig(undefined, { env: { LOG_LEVEL: process.env.LOG_LEVEL } });
    config.api = { host: options.host ?? '127.0.0.1', port: options.apiPort ?? 8080 };
    config.metrics = { host: options.host ?? '127.0.0.1', port: options.metricsPort ?? 9090 };
    config.poller = { ...config.poller, recheckInterval: '5s', downAfter: '30s' };
    config.plugins = { ...config.plugins, alerts: DEMO_ALERTS };
    if (options.dataDir) config.database = { ...config.database, dataDir: options.dataDir };
    const server = parseServerConfig({ auth: { adminPassword: DEMO_LOGIN.password } }, {});
    const monitor = await assemble(config, secrets, {
      devices: [...fleet.devices, ...bngs.devices],
      memoryDb: !options.dataDir,
    });
    const running = await runServer(monitor, config, server, { print });
    print(
      `ISP Monitor demo: ${fleet.devices.length} SNMP and ${bngs.devices.length} RouterOS simulated routers on loopback`,
    );
    print(`  UI/API   ${running.urls.api}/`);
    print(`  login    user ${DEMO_LOGIN.username} password ${DEMO_LOGIN.password}`);
    print(`  health   ${running.urls.api}/health`);
    print(`  metrics  ${running.urls.metrics}/metrics   devices: ${running.urls.metrics}/metrics/devices`);
    for (const p of fleet.problems) print(`  in ${p.atMs / 1000}s: ${p.device} ${p.description}`);
    const stop = async () => {
      await running.shutdown();
      await fleet.close();
      await bngs?.fleet.close();
    };
    return {
      url: running.urls.api,
      username: DEMO_LOGIN.username,
      password: DEMO_LOGIN.password,
      fleet,
      server: running,
      monitor,
      stop,
      close: stop,
    };
  } catch (err) {
    await fleet.close();
    await bngs?.fleet.close();
    throw err;
  }
}

const port = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliError(`${name}: "${v}" is not a port`, ExitCode.USAGE);
  return n;
};

/** `ispmonitor demo`: what `npm start` runs. */
export function demoCommand(program: Command): void {
  program
    .command('demo')
    .description('simulated routers + the monitor + embedded storage: look around without any setup')
    .option('--routers <n>', 'number of simulated routers', (v) => Number(v), 12)
    .option('--devices <n>', 'same as --routers', (v) => Number(v))
    .option('--data-dir <dir>', 'keep the embedded database in this folder (default: in memory)')
    .option('--api-port <port>', 'API port', port('--api-port'), 8080)
    .option('--metrics-port <port>', 'metrics port', port('--metrics-port'), 9090)
    .option('--host <address>', 'listen address', '127.0.0.1')
    .action(
      async (opts: {
        routers: number;
        devices?: number;
        dataDir?: string;
        apiPort: number;
        metricsPort: number;
        host: string;
      }) => {
        if (opts.devices !== undefined) opts.routers = opts.devices;
        if (!Number.isInteger(opts.routers) || opts.routers < 1 || opts.routers > 5000) {
          throw new CliError('--routers must be 1..5000', ExitCode.USAGE);
        }
        const demo = await startDemo({
          routers: opts.routers,
          apiPort: opts.apiPort,
          metricsPort: opts.metricsPort,
          host: opts.host,
        });
        exitOnSignals({ ...demo.server, shutdown: () => demo.stop() }, 10, (m) =>
          process.stderr.write(`${m}\n`),
        );
        await new Promise(() => {});
      },
    );
}
