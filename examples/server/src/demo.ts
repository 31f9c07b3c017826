import { loadConfig, type Monitor } from '@ispmonitor/core';
import { createDemoFleet, type DemoFleet } from '@ispmonitor/simulator';
import { assemble } from './assemble.js';
import { type RunningServer, runServer } from './run-server.js';
import { parseServerConfig } from './server-config.js';

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
  const fleet = await createDemoFleet({
    snmpDevices: options.routers ?? 12,
    interval: options.interval ?? '10s',
  });
  try {
    const { config, secrets } = await loadConfig(undefined, { env: { LOG_LEVEL: process.env.LOG_LEVEL } });
    config.api = { host: options.host ?? '127.0.0.1', port: options.apiPort ?? 8080 };
    config.metrics = { host: options.host ?? '127.0.0.1', port: options.metricsPort ?? 9090 };
    config.poller = { ...config.poller, recheckInterval: '5s', downAfter: '30s' };
    config.plugins = { ...config.plugins, alerts: DEMO_ALERTS };
    if (options.dataDir) config.database = { ...config.database, dataDir: options.dataDir };
    const server = parseServerConfig({ auth: { adminPassword: DEMO_LOGIN.password } }, {});
    const monitor = await assemble(config, secrets, { devices: fleet.devices, memoryDb: !options.dataDir });
    const running = await runServer(monitor, config, server, { print });
    print(`ISP Monitor demo: ${fleet.devices.length} simulated routers on loopback`);
    print(`  UI/API   ${running.urls.api}/`);
    print(`  login    user ${DEMO_LOGIN.username} password ${DEMO_LOGIN.password}`);
    print(`  health   ${running.urls.api}/health`);
    print(`  metrics  ${running.urls.metrics}/metrics   devices: ${running.urls.metrics}/metrics/devices`);
    for (const p of fleet.problems) print(`  in ${p.atMs / 1000}s: ${p.device} ${p.description}`);
    const stop = async () => {
      await running.shutdown();
      await fleet.close();
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
    throw err;
  }
}
